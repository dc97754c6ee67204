/**
 * The public library API of finetune4j: load a trained bundle and classify images from Java code, with exactly the
 * preprocessing {@code predict} and {@code evaluate} apply.
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.load("my-photos")) {   // a name under models/, or a folder
 *     Classification c = classifier.classify(Path.of("cat.jpg"));
 *     System.out.println(c.best().label() + " " + c.best().probability());
 * }
 * }</pre>
 * <p>This package is the only public surface of the library: its types keep their signatures across compatible
 * releases and are the only ones the Javadoc documents. Every other package of {@code org.finetune4j} is internal
 * (public in the Java sense only because packages call each other) and may change in any release.
 */
package org.finetune4j.api;
