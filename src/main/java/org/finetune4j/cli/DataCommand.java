package org.finetune4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;

/** A command that reads a folder of labelled images: {@code --data}, the split and the bad-file policy. */
abstract class DataCommand extends RunCommand {

    @Mixin
    DataOptions data;

    /** @return the data folder; the sample sets are generated first when the default is named and missing */
    Path resolveData() {
        return data.resolveData(spec, common);
    }
}
