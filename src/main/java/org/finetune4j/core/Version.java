package org.finetune4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of finetune4j and the libraries it is built on, read from the build's resources. */
public final class Version {
    private static final Properties PROPS = load();

    private Version() {
    }

    /** @return the finetune4j version, e.g. {@code 0.1.0-SNAPSHOT} */
    public static String finetune4j() {
        return PROPS.getProperty("version", "unknown");
    }

    /** @return the Deeplearning4j version the build uses, e.g. {@code 1.0.0-M2.1} */
    public static String dl4j() {
        return PROPS.getProperty("dl4j.version", "unknown");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/org/finetune4j/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // versions are informative only; "unknown" is printed instead
        }
        return p;
    }
}
