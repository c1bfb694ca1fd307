/** One egress rule, normalised: a network (an address is a /32 or /128) or any, and ports (none: any). */
export interface EgressEntry {
  verdict: 'allow' | 'deny';
  /** Report a connection that matches this entry. */
  audit: boolean;
  /** A CIDR as Go prints it (`10.0.0.0/8`), or `*` for any address. */
  network: string;
  /** Inclusive port ranges (a single port is `{ from: p, to: p }`). */
  ports: { from: number; to: number }[];
}

/** The artifact's data: what `decide` reads. Entries in policy order; the first that matches decides. */
export interface EgressAllowList {
  profileName: string;
  /** What a connection no entry matches gets. */
  defaultAction: 'allow' | 'deny';
  /** false when violations are only reported (allowViolations): a denied connection is let through, and audited. */
  enforce: boolean;
  entries: EgressEntry[];
}

declare module '@armorkit/core' {
  interface ArtifactDataMap {
    NetworkProxy: EgressAllowList;
  }
}
