package org.finetune4j.augment;

/**
 * The parameters one step drew for one image (a record per step, e.g. {@link Rotate.Params}); tests make them in code
 * to pin the randomness, previews print them.
 */
public interface StepParams {

    /** @return a short human-readable form for previews, e.g. {@code "rotate -7.3°"} */
    String describe();

    /**
     * Checks that parameters are of the type a step expects.
     *
     * @param type   the step's parameter type
     * @param params what the caller passed
     * @param step   the step's name, for the message
     * @return the parameters, cast
     * @throws IllegalArgumentException if they are of another step (a programming error)
     */
    static <P extends StepParams> P as(Class<P> type, StepParams params, String step) {
        if (!type.isInstance(params)) {
            throw new IllegalArgumentException("step " + step + " needs " + type.getName() + " parameters; received "
                    + (params == null ? "null" : params.getClass().getName()));
        }
        return type.cast(params);
    }
}
