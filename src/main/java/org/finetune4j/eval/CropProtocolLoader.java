package org.finetune4j.eval;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.finetune4j.core.Json;
import org.finetune4j.core.ShippedYaml;
import org.finetune4j.core.UsageException;

/**
 * Reads evaluation protocols from YAML and rejects invalid ones before any work, naming the file, the key and its
 * line. A protocol file looks like this ({@code eval/README.md} describes every key):
 * <pre>
 * version: 1
 * short-side-px: [224, 256, 384, 480, 640]   # scales; "default" is the bundle's own evaluation scale
 * reference-input-px: 224                    # the input size the scales are given for (default 224)
 * crops: [center, top-left, top-right, bottom-left, bottom-right]
 * flip: true                                 # also every crop mirrored left-right (default false)
 * </pre>
 * <pre>{@code
 * CropProtocol p = CropProtocolLoader.load("ten-crop");          // shipped protocol, from the jar (eval/*.yaml)
 * CropProtocol mine = CropProtocolLoader.load("my/protocol.yaml"); // a file
 * }</pre>
 */
public final class CropProtocolLoader {

    /** The protocols shipped in {@code eval/} and packaged in the jar, by name. */
    public static final List<String> SHIPPED = List.of("center", "ten-crop", "multi-scale");

    /** The protocol {@code train} and {@code evaluate} use when none is named. */
    public static final String DEFAULT_PROTOCOL = "ten-crop";

    /** The format version this code reads. */
    public static final int VERSION = 1;

    /** Reference input size when a file does not give {@code reference-input-px}: VGG's and ResNet's 224. */
    public static final int DEFAULT_REFERENCE_INPUT_PX = 224;

    private static final List<String> KEYS = List.of("version", "short-side-px", "reference-input-px", "crops",
            "flip");

    private CropProtocolLoader() {
    }

    /**
     * Loads what {@code --protocol} names: an existing file, else a shipped protocol by name ({@code ten-crop},
     * {@code ten-crop.yaml} or {@code eval/ten-crop.yaml}), read from the jar.
     *
     * @param nameOrPath a shipped protocol's name or the path of a YAML file
     * @return the validated protocol
     * @throws UsageException if there is no such file or protocol, or the protocol is invalid
     */
    public static CropProtocol load(String nameOrPath) {
        ShippedYaml y = ShippedYaml.resolve("--protocol", nameOrPath, "eval", "protocol", SHIPPED);
        return parse(y.text(), y.name(), y.where());
    }

    /**
     * Loads a protocol file; it is named after the file (without {@code .yaml}) and messages name the file as
     * {@code file} is written.
     *
     * @throws UsageException if the file cannot be read or the protocol is invalid
     */
    public static CropProtocol load(Path file) {
        ShippedYaml y = ShippedYaml.read(file, file.toString().replace('\\', '/'), "protocol");
        return parse(y.text(), y.name(), y.where());
    }

    /**
     * Parses and validates protocol text.
     *
     * @param yaml  the protocol
     * @param name  the protocol's name in reports
     * @param where how to name it in messages, e.g. {@code eval/my.yaml}
     * @throws UsageException naming {@code where}, the key and its line if the protocol is invalid
     */
    public static CropProtocol parse(String yaml, String name, String where) {
        JsonNode root;
        try {
            root = Json.yaml().readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String line = loc != null && loc.getLineNr() > 0 ? " line " + loc.getLineNr() : "";
            throw new UsageException(where + line + ": not valid YAML (" + e.getOriginalMessage().lines().findFirst()
                    .orElse("") + "). Expected a protocol laid out like eval/ten-crop.yaml; received text the YAML "
                    + "reader cannot parse. Fix the indentation, colons or brackets there.", e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new UsageException(where + ": empty protocol. Expected the keys " + String.join(", ", KEYS)
                    + "; received an empty file. Start from eval/ten-crop.yaml.");
        }
        if (!root.isObject()) {
            throw new UsageException(where + ": not a protocol. Expected the keys " + String.join(", ", KEYS)
                    + "; received " + show(root) + ". Start from eval/ten-crop.yaml.");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new UsageException(at(where, yaml, key) + ": unknown key \"" + key + "\". Known keys: "
                        + String.join(", ", KEYS) + ". Fix the key; eval/README.md describes the protocol format.");
            }
        }
        JsonNode version = root.get("version");
        if (version == null) {
            throw new UsageException(where + " line 1: missing \"version\". Expected \"version: " + VERSION
                    + "\" at the top of every protocol; received no version key. Add the line \"version: " + VERSION
                    + "\".");
        }
        if (!version.isInt() || version.asInt() != VERSION) {
            throw new UsageException(at(where, yaml, "version") + ": unsupported protocol version. Expected version: "
                    + VERSION + "; received " + show(version) + ". Write version: " + VERSION
                    + " (the only format so far).");
        }
        List<CropProtocol.Scale> scales = scales(root.get("short-side-px"), where, yaml);
        int reference = DEFAULT_REFERENCE_INPUT_PX;
        JsonNode ref = root.get("reference-input-px");
        if (ref != null) {
            if (!ref.isInt() || ref.asInt() < 1) {
                throw new UsageException(at(where, yaml, "reference-input-px") + ": reference-input-px must be a "
                        + "positive whole number of pixels. Expected e.g. 224; received " + show(ref) + ".");
            }
            reference = ref.asInt();
        }
        List<Crop.Position> positions = positions(root.get("crops"), where, yaml);
        boolean flip = false;
        JsonNode f = root.get("flip");
        if (f != null) {
            if (!f.isBoolean()) {
                throw new UsageException(at(where, yaml, "flip") + ": flip must be true or false. Expected true "
                        + "(also every crop mirrored left-right) or false; received " + show(f) + ".");
            }
            flip = f.asBoolean();
        }
        return new CropProtocol(name, where, scales, reference, positions, flip);
    }

    private static List<CropProtocol.Scale> scales(JsonNode node, String where, String yaml) {
        String at = node == null ? where : at(where, yaml, "short-side-px");
        if (node == null) {
            throw new UsageException(where + ": missing \"short-side-px\". Expected the scales, e.g. "
                    + "\"short-side-px: [default]\" or \"short-side-px: [224, 256, 384, 480, 640]\"; received no "
                    + "short-side-px key. Add it (eval/README.md describes the protocol format).");
        }
        List<JsonNode> items = items(node);
        if (items.isEmpty()) {
            throw new UsageException(at + ": short-side-px is empty. Expected at least one scale; received []. "
                    + "Write [default] for the bundle's own evaluation scale.");
        }
        List<CropProtocol.Scale> out = new ArrayList<>();
        for (JsonNode item : items) {
            CropProtocol.Scale s;
            if (item.isTextual() && item.asText().equals("default")) {
                s = CropProtocol.Scale.bundleDefault();
            } else if (item.isInt() && item.asInt() >= 1) {
                s = new CropProtocol.Scale(item.asInt());
            } else {
                throw new UsageException(at + ": short-side-px has " + show(item) + ". Expected positive whole "
                        + "numbers of pixels (at the reference input size) or the word default; received "
                        + show(item) + ". Fix that scale.");
            }
            if (out.contains(s)) {
                throw new UsageException(at + ": short-side-px lists " + s + " twice. Expected each scale once; "
                        + "received " + show(node) + ". Remove the repeat.");
            }
            out.add(s);
        }
        return out;
    }

    /** @return the elements of a YAML list, or the one value written without brackets */
    private static List<JsonNode> items(JsonNode node) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else {
            items.add(node);
        }
        return items;
    }

    private static List<Crop.Position> positions(JsonNode node, String where, String yaml) {
        String known = Arrays.stream(Crop.Position.values()).map(Crop.Position::key).collect(Collectors.joining(", "));
        if (node == null) {
            throw new UsageException(where + ": missing \"crops\". Expected a list of windows from " + known
                    + "; received no crops key. Add e.g. \"crops: [center]\".");
        }
        String at = at(where, yaml, "crops");
        List<JsonNode> items = items(node);
        if (items.isEmpty()) {
            throw new UsageException(at + ": crops is empty. Expected at least one of " + known + "; received []. "
                    + "Add e.g. center.");
        }
        List<Crop.Position> out = new ArrayList<>();
        for (JsonNode item : items) {
            Optional<Crop.Position> p = item.isTextual() ? Crop.Position.of(item.asText()) : Optional.empty();
            if (p.isEmpty()) {
                throw new UsageException(at + ": unknown crop " + show(item) + ". Expected one of " + known
                        + "; received " + show(item) + ". Fix the name (mirrored crops come from flip: true).");
            }
            if (out.contains(p.get())) {
                throw new UsageException(at + ": crops lists " + p.get().key() + " twice. Expected each crop once; "
                        + "received " + show(node) + ". Remove the repeat.");
            }
            out.add(p.get());
        }
        return out;
    }

    /** {@code where line N} for the line a top-level key is on, or just {@code where} if it cannot be found. */
    private static String at(String where, String yaml, String key) {
        List<String> lines = yaml.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith(key + ":") || l.startsWith(key + " :") || l.startsWith("\"" + key + "\"")) {
                return where + " line " + (i + 1);
            }
        }
        return where;
    }

    private static String show(JsonNode v) {
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        return v.toString();
    }
}
