/**
 * A node's dialog defaults from its runtime DEFAULTS, through Node-RED's
 * exportable node settings: `registerType(type, ctor, { settings })` puts
 * them into the editor's `RED.settings` (as `<type in camelCase>Defaults`),
 * and the node's .html reads its `defaults` values from there. So a default
 * is typed once, in the node's config module, and a stock Node-RED serves it
 * to the editor like any other node setting. No node-red import.
 */

/** A node setting as `registerType`'s `settings` option takes it. */
export interface NodeSetting {
  value: unknown;
  exportable?: boolean;
}

/** Node-RED's `util.normaliseNodeTypeName`: `threshold-alert` -> `thresholdAlert` (node settings must start with it). */
export function normaliseTypeName(type: string): string {
  const words = type
    .replace(/[^a-zA-Z0-9]/g, ' ')
    .trim()
    .replace(/ +/g, ' ');
  const camel = words.replace(/ ./g, (s) => s.charAt(1).toUpperCase());
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

/** The `RED.settings` property that holds a node type's dialog defaults, e.g. `thresholdAlertDefaults`. */
export function defaultsSettingName(type: string): string {
  return `${normaliseTypeName(type)}Defaults`;
}

/** The `settings` option of `registerType` that exports `defaults` to the editor. */
export function editorDefaultsSetting(type: string, defaults: object): Record<string, NodeSetting> {
  return { [defaultsSettingName(type)]: { value: defaults, exportable: true } };
}
