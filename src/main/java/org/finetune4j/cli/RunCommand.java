package org.finetune4j.cli;

import picocli.CommandLine.Mixin;

/** A command that does seeded work and prints a result: {@code --seed}, {@code --quiet}, {@code --json}. */
abstract class RunCommand extends ToolCommand {

    @Mixin
    CommonOptions common;
}
