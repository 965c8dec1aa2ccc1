package io.gatewayworker.host.app;

import io.gatewayworker.host.config.Limits;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks an app jar before anything in it is inflated into memory or loaded, so that a decompression
 * bomb (a small jar whose entries unpack to gigabytes) is refused with one line instead of filling the
 * heap of the class loader, the manifest reader or PF4J's index reader.
 *
 * <p>The bounds come from {@link Limits}: the entries together ({@code limits.app-jar.max-bytes}),
 * one entry ({@code limits.app-jar.max-entry-bytes}), the number of entries
 * ({@code limits.app-jar.max-entries}) and, for entries past {@link Limits#APP_JAR_RATIO_FROM_BYTES},
 * how many times its packed size an entry grows ({@code limits.app-jar.max-ratio}). Sizes in a jar's
 * directory are what its author wrote and may lie; so after the declared sizes, every entry is
 * streamed through an inflater with a byte budget, its bytes read into one small buffer and thrown
 * away, stopping at the first bound broken. The reader is the one the class loader uses
 * ({@link ZipFile}, which reads an entry by its name: of two entries with one name, the one a loader
 * would read is checked, twice), so what is checked is what would be loaded. Memory stays bounded
 * whatever the jar: one buffer, one inflater, and the jar's directory, which is no larger than the
 * file (itself bounded by {@code limits.app-jar.max-bytes}).
 *
 * <p>Verdicts are remembered by the jar's content hash (SHA-256 of the file): a content already
 * checked is not inflated again, and a refused one is refused again at once with the same reason
 * (and a debug line) until the content changes. A verdict is kept only when the file hashes the same
 * after the check as before it (a file replaced meanwhile is checked again at the next sync). At most
 * {@value #REMEMBERED} verdicts are kept, the oldest forgotten first.
 *
 * <p>Owner thread only ({@code gw-apps}, like every other step of {@link AppManager}); not thread-safe.
 */
final class JarInspector {

    /** Verdicts kept; a forgotten one only costs a second check of that content. */
    static final int REMEMBERED = 1024;

    private static final Logger log = LoggerFactory.getLogger(JarInspector.class);
    private static final String REBUILD = "a decompression bomb or a damaged jar: rebuild the app jar, or raise the"
            + " bound in conf/gatewayworker.conf if the app really needs it";

    private final Limits limits;
    private final Function<Path, String> hasher;
    /** Content hash to the reason it was refused; empty when the content passed. */
    private final Map<String, Optional<String>> verdicts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<String>> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final byte[] buffer = new byte[64 * 1024];
    private long inflated;

    /**
     * @param limits the bounds
     * @param hasher the SHA-256 of a file's content in hex, or null when it cannot be read: checks that
     *        the content checked is the content hashed before a verdict is remembered
     */
    JarInspector(Limits limits, Function<Path, String> hasher) {
        this.limits = limits;
        this.hasher = hasher;
    }

    /**
     * Checks a jar; returns when it is within every bound.
     *
     * @param jar the file in the plugins folder
     * @param hash the SHA-256 of its content, in hex
     * @throws AppLoadException one line: the entry, the bound broken (its key) and what to do
     */
    void check(Path jar, String hash) {
        Optional<String> known = verdicts.get(hash);
        if (known != null) {
            if (known.isPresent()) {
                log.debug("App jar {} (sha256 {}) was refused before and is unchanged; not checked again",
                        jar.getFileName(), hash.substring(0, 16));
                throw new AppLoadException(known.get());
            }
            return;
        }
        String reason;
        try {
            reason = inspect(jar);
        } catch (IOException e) {
            // Perhaps passing (a file being replaced): no verdict.
            throw new AppLoadException("it cannot be read: " + e);
        }
        if (!hash.equals(hasher.apply(jar))) {
            // What was checked may not be what was hashed: no verdict for either.
            throw new AppLoadException("it changed while it was being checked; it is taken once it is complete");
        }
        verdicts.put(hash, Optional.ofNullable(reason));
        if (reason != null) {
            throw new AppLoadException(reason);
        }
    }

    /** Bytes inflated by every check so far (for tests: a remembered verdict inflates nothing). */
    long inflatedBytes() {
        return inflated;
    }

    /**
     * The reason a jar is refused, or null when it is within every bound.
     *
     * @throws IOException the file could not be read (which says nothing about its content)
     */
    private String inspect(Path jar) throws IOException {
        long fileSize = Files.size(jar);
        if (fileSize > limits.maxAppJarBytes()) {
            return "the file is " + size(fileSize) + ", more than its entries may hold unpacked ("
                    + size(limits.maxAppJarBytes()) + ", limits.app-jar.max-bytes); " + REBUILD;
        }
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (ZipException e) {
            return "it is not a jar (" + e.getMessage() + ")";
        }
        try (zip) {
            String declared = checkDeclared(zip);
            return declared != null ? declared : checkInflated(zip);
        }
    }

    /** The bounds against the sizes the directory declares: nothing is inflated yet. */
    private String checkDeclared(ZipFile zip) {
        if (zip.size() > limits.maxAppJarEntries()) {
            return "it has " + zip.size() + " entries, more than " + limits.maxAppJarEntries()
                    + " (limits.app-jar.max-entries); " + REBUILD;
        }
        long total = 0;
        for (ZipEntry entry : Collections.list(zip.entries())) {
            long size = entry.getSize();
            if (size > limits.maxAppJarEntryBytes()) {
                return "entry " + entry.getName() + " declares " + size(size) + " unpacked, more than "
                        + size(limits.maxAppJarEntryBytes()) + " (limits.app-jar.max-entry-bytes); " + REBUILD;
            }
            total += Math.max(size, 0);
            if (total > limits.maxAppJarBytes()) {
                return "its entries declare more than " + size(limits.maxAppJarBytes()) + " unpacked in all, "
                        + entry.getName() + " included (limits.app-jar.max-bytes); " + REBUILD;
            }
            if (size > Limits.APP_JAR_RATIO_FROM_BYTES && size > ratioBound(entry)) {
                return "entry " + entry.getName() + " declares " + size(size) + " unpacked from " + size(packed(entry))
                        + ", more than " + limits.maxAppJarRatio() + " times its packed size (limits.app-jar.max-ratio); "
                        + REBUILD;
            }
        }
        return null;
    }

    /** The bounds against what each entry really inflates to, stopping at the first one broken. */
    private String checkInflated(ZipFile zip) throws IOException {
        long total = 0;
        int entries = 0;
        for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
            ZipEntry entry = all.nextElement();
            if (++entries > limits.maxAppJarEntries()) {
                // The directory said fewer (zip64 can): the count seen is what counts.
                return "it has more than " + limits.maxAppJarEntries() + " entries (limits.app-jar.max-entries); " + REBUILD;
            }
            long perEntry = limits.maxAppJarEntryBytes();
            long ratioBound = Math.max(Limits.APP_JAR_RATIO_FROM_BYTES, ratioBound(entry));
            long budget = Math.min(Math.min(perEntry, ratioBound), limits.maxAppJarBytes() - total);
            long read;
            try (InputStream in = zip.getInputStream(entry)) {
                read = drain(in, budget);
            } catch (ZipException | EOFException e) {
                return "entry " + entry.getName() + " cannot be unpacked (" + e.getMessage() + "); the jar is damaged:"
                        + " rebuild it";
            }
            total += read;
            if (read <= budget) {
                continue;
            }
            String lie = entry.getSize() >= 0 && entry.getSize() <= budget
                    ? ", although the jar declares " + size(entry.getSize()) + " for it" : "";
            if (budget == perEntry) {
                return "entry " + entry.getName() + " inflates to more than " + size(perEntry)
                        + " (limits.app-jar.max-entry-bytes)" + lie + "; " + REBUILD;
            }
            if (budget == ratioBound) {
                return "entry " + entry.getName() + " inflates to more than " + limits.maxAppJarRatio() + " times its"
                        + " packed size of " + size(packed(entry)) + " (limits.app-jar.max-ratio)" + lie + "; " + REBUILD;
            }
            return "its entries inflate to more than " + size(limits.maxAppJarBytes()) + " in all, " + entry.getName()
                    + " included (limits.app-jar.max-bytes)" + lie + "; " + REBUILD;
        }
        return null;
    }

    /** Reads and discards at most {@code budget + 1} bytes; returns how many it read. */
    private long drain(InputStream in, long budget) throws IOException {
        long read = 0;
        while (read <= budget) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, budget + 1 - read));
            if (n < 0) {
                break;
            }
            read += n;
            inflated += n;
        }
        return read;
    }

    /** The most an entry may unpack to by the ratio bound (past {@link Limits#APP_JAR_RATIO_FROM_BYTES}). */
    private long ratioBound(ZipEntry entry) {
        long packed = packed(entry);
        return packed > Long.MAX_VALUE / limits.maxAppJarRatio() ? Long.MAX_VALUE : packed * limits.maxAppJarRatio();
    }

    /** The packed size the directory declares, at least 1. */
    private static long packed(ZipEntry entry) {
        return Math.max(entry.getCompressedSize(), 1);
    }

    /** A size for people: {@code 64 MiB}, {@code 1.5 GiB}, {@code 12 KiB}, {@code 1,037 bytes}. */
    static String size(long bytes) {
        long kib = 1024;
        long mib = kib * 1024;
        long gib = mib * 1024;
        if (bytes >= gib) {
            return bytes % gib == 0 ? bytes / gib + " GiB" : String.format(Locale.ROOT, "%.1f GiB", (double) bytes / gib);
        }
        if (bytes >= mib) {
            return bytes % mib == 0 ? bytes / mib + " MiB" : String.format(Locale.ROOT, "%.1f MiB", (double) bytes / mib);
        }
        if (bytes >= kib && bytes % kib == 0) {
            return bytes / kib + " KiB";
        }
        return String.format(Locale.ROOT, "%,d bytes", bytes);
    }
}
