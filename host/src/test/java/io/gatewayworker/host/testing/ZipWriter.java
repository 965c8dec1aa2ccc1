package io.gatewayworker.host.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes zip files field by field, to make the jars no build tool makes: entries that unpack to a
 * thousand times their packed size without the test ever holding the unpacked bytes, and directories
 * that lie about sizes.
 *
 * <pre>{@code
 * ZipWriter.copyOf(appJar)                              // a real app jar, built by PluginJars
 *         .addFilled("test/Big.class", (byte) 0, 1L << 30) // 1 GiB of zeros, about 1 MiB packed
 *         .declare("test/Big.class", 1024)                // the directory says 1 KiB
 *         .write(plugins.resolve("evil.jar"));
 * }</pre>
 *
 * <p>Repeated bytes are packed once per MiB with a full flush, which leaves the packed stream byte
 * aligned and referring to nothing before it; the entry's data is that MiB repeated, then the rest.
 * Sizes stay below 4 GiB (no zip64). Not thread-safe.
 */
public final class ZipWriter {

    private static final int MIB = 1024 * 1024;

    /** One entry; {@code content} is null for a filled entry, whose bytes are never held. */
    private static final class Entry {
        final String name;
        final byte[] content;
        final byte[] packed;
        final long crc;
        final long size;
        long declared;

        Entry(String name, byte[] content, byte[] packed, long crc, long size) {
            this.name = name;
            this.content = content;
            this.packed = packed;
            this.crc = crc;
            this.size = size;
            this.declared = size;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    private ZipWriter() {
    }

    /** A zip with no entries yet. */
    public static ZipWriter create() {
        return new ZipWriter();
    }

    /** Starts with every entry of a (small) jar, in its order. */
    public static ZipWriter copyOf(Path jar) throws IOException {
        ZipWriter writer = new ZipWriter();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                writer.add(entry.getName(), zip.getInputStream(entry).readAllBytes());
            }
        }
        return writer;
    }

    /** Adds (or replaces) an entry with these bytes, deflated. */
    public ZipWriter add(String name, byte[] content) {
        CRC32 crc = new CRC32();
        crc.update(content);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(content);
        deflater.finish();
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            packed.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        put(new Entry(name, content, packed.toByteArray(), crc.getValue(), content.length));
        return this;
    }

    /** Adds (or replaces) an entry of {@code size} bytes, each {@code fill}: about 1 KiB packed per MiB. */
    public ZipWriter addFilled(String name, byte fill, long size) {
        return addFilled(name, new byte[0], fill, size);
    }

    /** Adds (or replaces) an entry whose packed data is {@code packed} as given (say, not deflate at all). */
    public ZipWriter addPacked(String name, byte[] packed, long size) {
        put(new Entry(name, null, packed.clone(), 0, size));
        return this;
    }

    /**
     * Pads an entry already added: its bytes, then {@code fill} up to {@code size} bytes in all (a
     * text file followed by a million empty lines, say).
     */
    public ZipWriter pad(String name, byte fill, long size) {
        byte[] content = entry(name).content;
        if (content == null) {
            throw new IllegalArgumentException(name + " was added filled or packed; pad an entry added with its bytes");
        }
        return addFilled(name, content, fill, size);
    }

    /**
     * Makes the local header and the central directory declare {@code declared} bytes unpacked for an
     * entry, whatever its data unpacks to.
     */
    public ZipWriter declare(String name, long declared) {
        entry(name).declared = declared;
        return this;
    }

    /** Writes the zip; returns {@code file}. */
    public Path write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            ByteArrayOutputStream directory = new ByteArrayOutputStream();
            long offset = 0;
            for (Entry e : entries) {
                byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
                ByteArrayOutputStream local = new ByteArrayOutputStream();
                int32(local, 0x04034b50);
                header(local, e, name);
                local.write(name);
                local.writeTo(out);
                out.write(e.packed);

                int32(directory, 0x02014b50);
                int16(directory, 20); // made by
                header(directory, e, name);
                int16(directory, 0); // comment length
                int16(directory, 0); // disk
                int16(directory, 0); // internal attributes
                int32(directory, 0); // external attributes
                int32(directory, offset);
                directory.write(name);
                offset += local.size() + e.packed.length;
            }
            directory.writeTo(out);
            ByteArrayOutputStream end = new ByteArrayOutputStream();
            int32(end, 0x06054b50);
            int16(end, 0);
            int16(end, 0);
            int16(end, entries.size());
            int16(end, entries.size());
            int32(end, directory.size());
            int32(end, offset);
            int16(end, 0); // comment length
            end.writeTo(out);
        }
        return file;
    }

    /** The fields local headers and directory records share, from "version needed" to "extra length". */
    private static void header(ByteArrayOutputStream out, Entry e, byte[] name) {
        int16(out, 20); // version needed: deflate
        int16(out, 0x0800); // flags: UTF-8 names
        int16(out, ZipEntry.DEFLATED);
        int16(out, 0); // time
        int16(out, 0x21); // date: 1980-01-01
        int32(out, e.crc);
        int32(out, e.packed.length);
        int32(out, e.declared);
        int16(out, name.length);
        int16(out, 0); // extra length
    }

    private ZipWriter addFilled(String name, byte[] prefix, byte fill, long size) {
        if (size < prefix.length || size >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("size: " + size + " (expected: " + prefix.length + " to 4 GiB)");
        }
        byte[] mib = new byte[MIB];
        Arrays.fill(mib, fill);
        long filled = size - prefix.length;
        long whole = filled / MIB;
        byte[] rest = Arrays.copyOf(mib, (int) (filled % MIB));
        CRC32 crc = new CRC32();
        crc.update(prefix);
        for (long i = 0; i < whole; i++) {
            crc.update(mib);
        }
        crc.update(rest);
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        if (prefix.length > 0) {
            packed.writeBytes(flushed(prefix));
        }
        byte[] chunk = flushed(mib);
        for (long i = 0; i < whole; i++) {
            packed.writeBytes(chunk);
        }
        Deflater last = new Deflater(Deflater.BEST_COMPRESSION, true);
        last.setInput(rest);
        last.finish();
        byte[] buf = new byte[8192];
        while (!last.finished()) {
            packed.write(buf, 0, last.deflate(buf));
        }
        last.end();
        put(new Entry(name, null, packed.toByteArray(), crc.getValue(), size));
        return this;
    }

    /** {@code data} deflated by a fresh deflater and fully flushed: a piece that stands on its own. */
    private static byte[] flushed(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length || !deflater.needsInput());
        deflater.end();
        return out.toByteArray();
    }

    private Entry entry(String name) {
        return entries.stream().filter(e -> e.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no entry " + name));
    }

    private void put(Entry entry) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name.equals(entry.name)) {
                entries.set(i, entry);
                return;
            }
        }
        entries.add(entry);
    }

    private static void int16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }

    private static void int32(ByteArrayOutputStream out, long v) {
        int16(out, (int) (v & 0xFFFF));
        int16(out, (int) ((v >>> 16) & 0xFFFF));
    }
}
