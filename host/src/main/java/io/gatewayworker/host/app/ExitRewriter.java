package io.gatewayworker.host.app;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites an app class's calls of {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt}
 * into calls of {@link Exits}, which refuses them: one app must not end the process that runs every
 * other app and holds every client connection. Direct calls, method references ({@code System::exit})
 * and method-handle constants are rewritten; calls through reflection or a method handle looked up at
 * run time are not (see {@code docs/ARCHITECTURE.md}, "Failure and isolation": only a separate worker
 * process isolates an app completely).
 *
 * <p>Stateless and thread-safe; called by {@link AppClassLoader} as each class is defined.
 */
final class ExitRewriter {

    private static final String SYSTEM = "java/lang/System";
    private static final String RUNTIME = "java/lang/Runtime";
    private static final String EXITS = Exits.class.getName().replace('.', '/');

    private ExitRewriter() {
    }

    /** The class with its exits rewritten, or null when it has none (then define it unchanged). */
    static byte[] rewrite(byte[] classFile) {
        if (!mentions(classFile, "exit") && !mentions(classFile, "halt")) {
            return null; // the common case: no constant named exit or halt, nothing to parse
        }
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0); // same stack shapes: no frames or maxima to compute
        boolean[] changed = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        String target = target(owner, method, desc, opcode == Opcodes.INVOKESTATIC);
                        if (target != null) {
                            changed[0] = true;
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, EXITS, target, guardDescriptor(owner), false);
                        } else {
                            super.visitMethodInsn(opcode, owner, method, desc, itf);
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap, Object... args) {
                        Object[] mapped = args.clone();
                        for (int i = 0; i < mapped.length; i++) {
                            mapped[i] = map(mapped[i], changed);
                        }
                        super.visitInvokeDynamicInsn(name, desc, bootstrap, mapped);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        super.visitLdcInsn(map(value, changed));
                    }
                };
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    /** The {@link Exits} method that replaces {@code owner.method desc}, or null. */
    private static String target(String owner, String method, String desc, boolean isStatic) {
        if (!"(I)V".equals(desc)) {
            return null;
        }
        if (SYSTEM.equals(owner) && "exit".equals(method) && isStatic) {
            return "systemExit";
        }
        if (RUNTIME.equals(owner) && !isStatic) {
            return switch (method) {
                case "exit" -> "runtimeExit";
                case "halt" -> "runtimeHalt";
                default -> null;
            };
        }
        return null;
    }

    private static String guardDescriptor(String owner) {
        return SYSTEM.equals(owner) ? "(I)V" : "(Ljava/lang/Runtime;I)V";
    }

    /** A method-handle constant naming an exit becomes one naming its guard; anything else is kept. */
    private static Object map(Object constant, boolean[] changed) {
        if (constant instanceof Handle h) {
            boolean isStatic = h.getTag() == Opcodes.H_INVOKESTATIC;
            boolean isVirtual = h.getTag() == Opcodes.H_INVOKEVIRTUAL;
            String target = isStatic || isVirtual ? target(h.getOwner(), h.getName(), h.getDesc(), isStatic) : null;
            if (target != null) {
                changed[0] = true;
                return new Handle(Opcodes.H_INVOKESTATIC, EXITS, target, guardDescriptor(h.getOwner()), false);
            }
        }
        return constant;
    }

    /** Whether the class file holds the UTF-8 constant {@code word} (tag 1, two-byte length, bytes). */
    private static boolean mentions(byte[] classFile, String word) {
        byte[] needle = new byte[3 + word.length()];
        needle[0] = 1;
        needle[1] = 0;
        needle[2] = (byte) word.length();
        for (int i = 0; i < word.length(); i++) {
            needle[3 + i] = (byte) word.charAt(i);
        }
        outer:
        for (int i = 0; i + needle.length <= classFile.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (classFile[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
