package org.finetune4j.clean;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * When two images are near-duplicates: their perceptual hashes ({@link org.finetune4j.data.PerceptualHash}, 128 bits)
 * are at most {@code hashBits} apart, or their features are at least {@code cosine} similar (after PCA) and the hashes
 * at most {@code confirmBits} apart. The hash alone catches re-encoded and resized copies; the features catch copies
 * the hash misses (a shift moves many of a noisy image's bits), and the looser hash test keeps two distinct pictures
 * of one class, which a backbone can place very close, apart.
 * <p>Defaults measured on {@code shapes-target} with mini-vgg-shapes's fc2 and 30 planted copies (×0.7 resized, JPEG
 * quality 75, shifted by one pixel) of 10 images: copies lay 0–19 bits apart, cosine 0.88 and above; distinct images
 * 11 bits and more apart, and the distinct pairs with cosine ≥ 0.95 more than 24 bits apart.
 *
 * @param cosine      feature similarity, in (0, 1] ({@code --duplicate-cosine}); default 0.95
 * @param hashBits    hash distance that alone makes a near-duplicate, in [0, 64] ({@code --duplicate-bits});
 *                    default 8
 * @param confirmBits hash distance within which a similar pair is confirmed, in [hashBits, 128]
 *                    ({@code --confirm-bits}); default 20
 */
public record DuplicateRule(double cosine, int hashBits, int confirmBits) {

    public DuplicateRule {
        if (!(cosine > 0 && cosine <= 1)) {
            throw new UsageException(String.format(Locale.ROOT, "--duplicate-cosine %s: out of range. Expected a "
                    + "similarity in (0, 1]; received %s. Use 0.95 (the default) or higher to flag fewer pairs.",
                    cosine, cosine));
        }
        if (hashBits < 0 || hashBits > 64) {
            throw new UsageException("--duplicate-bits " + hashBits + ": out of range. Expected 0 to 64 (of 128); "
                    + "received " + hashBits + ". Use 8 (the default); 0 matches identical hashes only.");
        }
        if (confirmBits < hashBits || confirmBits > 128) {
            throw new UsageException("--confirm-bits " + confirmBits + ": out of range. Expected " + hashBits
                    + " (--duplicate-bits) to 128; received " + confirmBits + ". Use 20 (the default); 128 lets the "
                    + "features decide alone.");
        }
    }

    /** @return cosine 0.95, 8 bits alone, 20 bits with the features */
    public static DuplicateRule defaults() {
        return new DuplicateRule(0.95, org.finetune4j.data.PerceptualHash.NEAR_BITS, 20);
    }

    /**
     * @param similarity the pair's feature cosine
     * @param bits       the pair's hash distance
     * @return whether the pair is a near-duplicate
     */
    public boolean matches(double similarity, int bits) {
        return bits <= hashBits || similarity >= cosine && bits <= confirmBits;
    }
}
