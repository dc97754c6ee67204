package org.finetune4j.model;

import java.util.Locale;
import java.util.regex.Pattern;
import org.finetune4j.core.UsageException;

/**
 * Where {@code vgg16}/{@code vgg19} weights come from.
 *
 * @param file     a Keras weights file the user already has ({@code --weights}), checked against the published
 *                 checksum unless {@code md5} says otherwise; null to use the cache
 * @param url      a mirror of the Keras weights file ({@code --weights-url}); null for Keras's own URL
 * @param cacheDir the download cache ({@code --weights-cache}); null for {@code $FINETUNE4J_CACHE} or
 *                 {@code ~/.finetune4j/weights}
 * @param md5      what {@code file} is checked against ({@code --weights-md5}): null for the published checksum,
 *                 32 hex digits for the MD5 of the user's own file (a Keras re-save, or their own VGG weights in
 *                 Keras's layout), or {@value #ANY_MD5} for no check (with a warning); upper-case hex is
 *                 lower-cased. Only with {@code file}.
 */
public record WeightsSettings(String file, String url, String cacheDir, String md5) {

    /** The {@code --weights-md5} value that turns the check off. */
    public static final String ANY_MD5 = "any";

    private static final Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");

    /**
     * @throws UsageException naming {@code --weights-md5} if it is neither 32 hex digits nor {@value #ANY_MD5}, or
     *                        is given without {@code --weights FILE}
     */
    public WeightsSettings {
        if (md5 != null) {
            md5 = md5.strip().toLowerCase(Locale.ROOT);
            if (!md5.equals(ANY_MD5) && !MD5_HEX.matcher(md5).matches()) {
                throw new UsageException("--weights-md5 " + md5 + ": not an MD5 checksum. Expected 32 hex digits "
                        + "(e.g. the output of `md5sum FILE`) or " + ANY_MD5 + "; received \"" + md5 + "\". Copy "
                        + "the checksum of your weights file, or pass --weights-md5 " + ANY_MD5 + " to skip the "
                        + "check.");
            }
            if (file == null) {
                throw new UsageException("--weights-md5 " + md5 + ": applies only to a weights file passed with "
                        + "--weights FILE. Expected --weights FILE alongside it; received no --weights. Add "
                        + "--weights FILE, or drop --weights-md5 (downloads are always checked against the "
                        + "published checksum).");
            }
        }
    }

    /** @return no file, Keras's URL, the default cache, the published checksum */
    public static WeightsSettings defaults() {
        return new WeightsSettings(null, null, null, null);
    }

}
