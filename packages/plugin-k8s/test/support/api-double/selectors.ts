// Label and field selectors as the API server reads them from `?labelSelector=` and `?fieldSelector=`.

type Labels = Readonly<Record<string, string>>;
export type Selector = (object: { metadata: { labels?: Labels } } & Record<string, unknown>) => boolean;

interface Requirement {
  key: string;
  operator: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=';
  values: string[];
}

/** Splits at commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((term) => term.trim()).filter((term) => term !== '');
}

function parseRequirement(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) return { key: set[1]!, operator: set[2] as 'in' | 'notin', values: set[3]!.split(',').map((value) => value.trim()) };
  const compare = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (compare) return { key: compare[1]!, operator: compare[2] === '!=' ? '!=' : '=', values: [compare[3]!.trim()] };
  if (term.startsWith('!')) return { key: term.slice(1).trim(), operator: '!exists', values: [] };
  if (/^[^\s!=()]+$/.test(term)) return { key: term, operator: 'exists', values: [] };
  throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
}

function holds(requirement: Requirement, value: string | undefined): boolean {
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case '=':
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
  }
}

/** `app=web,tier in (a,b),!canary`; throws (the server answers 400) on a selector it cannot read. */
export function labelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const requirements = splitTerms(text).map(parseRequirement);
  return (object) => requirements.every((requirement) => holds(requirement, object.metadata.labels?.[requirement.key]));
}

function fieldValue(object: Record<string, unknown>, path: string): string | undefined {
  let node: unknown = object;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (node === undefined || node === null) return undefined;
  return typeof node === 'string' ? node : JSON.stringify(node);
}

/**
 * `metadata.name=web,spec.nodeName!=n1`. The API server supports a few fields per kind; the double reads any dotted
 * path, and an absent field compares as the empty string (as `spec.nodeName=` selects unscheduled pods).
 */
export function fieldSelector(text: string | null): Selector {
  if (!text) return () => true;
  const requirements = splitTerms(text).map((term) => {
    const parsed = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!parsed) throw new Error(`invalid field selector: ${JSON.stringify(term)}`);
    return { path: parsed[1]!, negated: parsed[2] === '!=', value: parsed[3]!.trim() };
  });
  return (object) => requirements.every(({ path, negated, value }) => ((fieldValue(object, path) ?? '') === value) !== negated);
}
