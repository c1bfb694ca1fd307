import { stringify } from 'yaml';

// One writer for every manifest: block style, no line folding, no anchors, keys in the order the objects give them.
const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true } as const;

/** A YAML document of one object, ending in a newline. */
export function yamlDocument(object: unknown): string {
  return stringify(object, OPTIONS);
}

/** A multi-document YAML stream (`---` between documents), as `kubectl apply -f` reads it. */
export function yamlStream(objects: readonly unknown[]): string {
  return objects.map((object) => `---\n${yamlDocument(object)}`).join('');
}
