import { profileNameFromLabel } from './event.js';

/** Labels remembered, at most: a node has few profiles, but a hostile log could name a new one per line. */
const LABELS = 4096;

/** profileNameFromLabel, remembered per label: a node logs the same few labels over and over. One per registry. */
export class LabelCache {
  private readonly known = new Map<string, ReturnType<typeof profileNameFromLabel>>();

  profileOf(label: string): ReturnType<typeof profileNameFromLabel> {
    let known = this.known.get(label);
    if (known === undefined) {
      if (this.known.size >= LABELS) this.known.clear();
      known = profileNameFromLabel(label);
      this.known.set(label, known);
    }
    return known;
  }
}
