package org.finetune4j.stage;

import java.nio.file.Path;

/**
 * Where a stage that prepares a run reads bundle backbones and writes its report folder.
 *
 * @param modelsDir  where bundle backbones are looked up ({@code --models-dir})
 * @param reportsDir where the report folder is written ({@code --reports-dir})
 */
public record Folders(Path modelsDir, Path reportsDir) {
}
