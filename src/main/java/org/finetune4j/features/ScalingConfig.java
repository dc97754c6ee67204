package org.finetune4j.features;

import java.util.Locale;
import org.finetune4j.core.UsageException;

/**
 * How feature vectors are preprocessed before the linear classifier; fitted on the training split only and folded
 * into the bundle's output layer (every option is an affine map).
 *
 * @param standardize            subtract each feature's mean and divide by its standard deviation
 *                               ({@code --standardize})
 * @param pcaComponents          keep this many principal components, or 0 ({@code --pca K})
 * @param pcaVarianceFraction    keep the fewest components explaining at least this fraction of the variance, in
 *                               (0, 1), or 0 ({@code --pca 0.95})
 * @param whiten                 divide each principal component by its standard deviation ({@code --whiten}); with
 *                               no {@code --pca}, all components are kept
 */
public record ScalingConfig(boolean standardize, int pcaComponents, double pcaVarianceFraction, boolean whiten) {

    public ScalingConfig {
        if (pcaComponents < 0) {
            throw new UsageException("--pca " + pcaComponents + ": expected a number of components (at least 1) or "
                    + "a variance fraction in (0, 1).");
        }
        if (!(pcaVarianceFraction >= 0 && pcaVarianceFraction < 1)) {
            throw new UsageException(String.format(Locale.ROOT, "--pca %s: a variance fraction must be in (0, 1), "
                    + "e.g. 0.95.", pcaVarianceFraction));
        }
        if (pcaComponents > 0 && pcaVarianceFraction > 0) {
            throw new IllegalArgumentException("give either a number of components or a variance fraction");
        }
    }

    /** @return no standardization, no PCA, no whitening */
    public static ScalingConfig defaults() {
        return new ScalingConfig(false, 0, 0, false);
    }

    /**
     * @param standardize {@code --standardize}
     * @param pca         {@code --pca}: null, an integer number of components, or a fraction in (0, 1)
     * @param whiten      {@code --whiten}
     * @throws UsageException naming {@code --pca} for anything else
     */
    public static ScalingConfig of(boolean standardize, String pca, boolean whiten) {
        if (pca == null || pca.isBlank()) {
            return new ScalingConfig(standardize, 0, 0, whiten);
        }
        try {
            if (pca.matches("\\d+")) {
                int k = Integer.parseInt(pca);
                if (k < 1) {
                    throw new UsageException("--pca " + pca + ": expected at least 1 component.");
                }
                return new ScalingConfig(standardize, k, 0, whiten);
            }
            double f = Double.parseDouble(pca);
            if (!(f > 0 && f < 1)) {
                throw new UsageException("--pca " + pca + ": a variance fraction must be in (0, 1), e.g. 0.95; a "
                        + "number of components is a whole number, e.g. 64.");
            }
            return new ScalingConfig(standardize, 0, f, whiten);
        } catch (NumberFormatException e) {
            throw new UsageException("--pca " + pca + ": not a number. Expected a number of components (e.g. 64) or "
                    + "a variance fraction (e.g. 0.95).", e);
        }
    }

    /** @return whether a PCA is fitted */
    public boolean hasPca() {
        return pcaComponents > 0 || pcaVarianceFraction > 0 || whiten;
    }

    /** @return e.g. {@code standardize + PCA 0.95 + whiten}, or {@code none} */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (standardize) {
            s.append("standardize");
        }
        if (hasPca()) {
            s.append(s.length() > 0 ? " + " : "").append("PCA ").append(pcaComponents > 0
                    ? pcaComponents + " components"
                    : pcaVarianceFraction > 0 ? pcaVarianceFraction + " of variance" : "all components");
        }
        if (whiten) {
            s.append(" + whiten");
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
