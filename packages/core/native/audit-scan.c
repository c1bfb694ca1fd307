/*
 * armorkit's audit log scanner: the byte-level half of AuditLogDecoder (packages/core/src/audit/native-scanner.ts).
 *
 * It reads complete auditd lines (`[node=HOST ]type=NAME msg=audit(SECONDS.MILLIS:SERIAL): key=value ...`) and, for
 * each, writes one of:
 *   - an OVER_LONG record, for a line longer than `max_line` bytes (AUDIT_LINE_MAX_BYTES, over-long-line.ts): its
 *     offsets and its index among the call's lines; the line is skipped whole, as log-lines.ts skips it;
 *   - nothing, for a record type no decoder reads (SYSCALL, PROCTITLE, PATH, ...: the same rule as log-lines.ts);
 *   - a LINE record: the line's offsets, for the JavaScript decoders to read as a string (any other transport, and
 *     any auditd line that departs from the plain grammar below: they know every irregular form);
 *   - a FIELDS record: the type, node, stamp and each field's key and value, with repeated texts interned.
 *
 * The plain grammar: fields separated by one space (or the 0x1d before auditd's ENRICHED fields); a key of
 * [A-Za-z0-9_]; a value either quoted (printable ASCII without `"`) or bare (printable ASCII without `"`, `=`, `^`,
 * non-empty); a `subj*` label may be followed by ` (mode)` words, which belong to its value. Anything else (a byte
 * outside printable ASCII, a tab, a doubled blank, an unclosed quote, a glued ENRICHED key, a word without `=`) makes
 * the line a LINE record. So the scanner never has to agree with the decoders on an odd case: it hands those over.
 *
 * Interning: texts of up to MAX_INTERN bytes are kept in an open-addressing table; the first time a text gets a slot
 * within a call, the slot and the text's offsets are listed in `news`, and JavaScript makes the string once. A slot
 * set during a call is never replaced during that call, so the strings of one call's slots are all consistent.
 * Pure computation on the caller's buffers: no I/O, no allocation after armorkit_audit_scanner_new.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SLOT_BITS 14
#define SLOTS (1u << SLOT_BITS)
#define PROBES 8
#define MAX_INTERN 64
#define ARENA_BYTES (SLOTS * 32u)
/* Per record type (by slot, modulo) and field position: the last key and value seen there. */
#define MEMO_TYPES 8
#define MEMO_FIELDS 32
/* After this many values of one key, a key whose values are mostly new (ip=, a path with a pid in it) stops being interned. */
#define UNIQUE_AFTER 64
#define MAX_DECIMAL_DIGITS 15

enum { RECORD_LINE = 1, RECORD_FIELDS = 2, RECORD_OVER_LONG = 3 };
enum { FLAG_QUOTED = 1, FLAG_LABEL_WORDS = 2, FLAG_DECIMAL = 4 };
/* Ints per record header and per field (see armorkit_audit_scan). */
enum { HEADER_INTS = 12, FIELD_INTS = 4 };
enum { RECORD_QUOTED_EQUALS = 1 };
/*
 * A record's shape is its type and key slots as bytes, after a 0 byte no text holds, interned like a text (but never
 * announced): records with the same keys in the same order share a slot. Up to SHAPE_FIELDS keys.
 */
#define SHAPE_FIELDS ((MAX_INTERN - 3) / 2)

typedef struct {
  uint32_t hash;
  uint32_t length;
  uint32_t offset; /* in arena */
  uint32_t call;   /* the call that set it; 0: empty */
} slot_t;

typedef struct {
  int32_t key;
  int32_t value;
} memo_t;

typedef struct {
  slot_t slots[SLOTS];
  memo_t memo[MEMO_TYPES][MEMO_FIELDS];
  /* By key slot: values looked up, values inserted, and whether its values are no longer interned. */
  uint16_t lookups[SLOTS];
  uint16_t inserts[SLOTS];
  uint8_t unique[SLOTS];
  uint32_t used;
  uint32_t arena_used;
  uint32_t call;
  /* By slot: the text was checked to be a key ([A-Za-z0-9_]). */
  uint8_t is_key[SLOTS];
  uint8_t arena[ARENA_BYTES + 8];
} scanner_t;

void *armorkit_audit_scanner_new(void) {
  scanner_t *s = calloc(1, sizeof(scanner_t));
  if (s != NULL) memset(s->memo, 0xff, sizeof(s->memo)); /* -1: no memo */
  return s;
}
void armorkit_audit_scanner_free(void *scanner) { free(scanner); }

/* The low n bytes of a word (n < 8). */
static uint64_t low_bytes(uint64_t w, uint32_t n) { return n == 0 ? 0 : w & (~0ull >> (64 - 8 * n)); }

/*
 * The last n < 8 bytes from p as a word: one load when the 8 bytes from p are readable (before `limit`), else a
 * copy of exactly n bytes.
 */
static uint64_t tail_word(const uint8_t *p, uint32_t n, const uint8_t *limit) {
  uint64_t w = 0;
  if (p + 8 <= limit) {
    memcpy(&w, p, 8);
    return low_bytes(w, n);
  }
  memcpy(&w, p, n);
  return w;
}

/* A word at a time: texts are short (keys, profile names, paths), and most of them are looked up, not inserted. */
static uint32_t hash_bytes(const uint8_t *p, uint32_t n, const uint8_t *limit) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  uint64_t w;
  for (; n >= 8; n -= 8, p += 8) {
    memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (n > 0) {
    h = (h ^ tail_word(p, n, limit)) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
  }
  return (uint32_t)(h ^ (h >> 32));
}

/* `a` in the arena (which has 8 spare bytes at its end), `b` in the caller's data (readable up to `limit`). */
static int same_bytes(const uint8_t *a, const uint8_t *b, uint32_t n, const uint8_t *limit) {
  uint64_t x, y;
  for (; n >= 8; n -= 8, a += 8, b += 8) {
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    if (x != y) return 0;
  }
  if (n == 0) return 1;
  memcpy(&x, a, 8);
  return low_bytes(x, n) == tail_word(b, n, limit);
}

typedef struct {
  scanner_t *s;
  const uint8_t *buf;
  /* The end of the caller's data: loads may read up to it. */
  const uint8_t *limit;
  int32_t *news;
  int32_t news_cap;
  int32_t news_len;
  /* The texts that are not interned (the stamp, unique values), copied together: JavaScript decodes them at once. */
  uint8_t *text;
  int32_t text_cap;
  int32_t text_len;
} ctx_t;

/* Copies buf[start, end) to the text buffer; returns its offset there (the caller made sure there is room). */
static int32_t copy_text(ctx_t *c, uint32_t start, uint32_t end) {
  int32_t at = c->text_len;
  memcpy(c->text + at, c->buf + start, end - start);
  c->text_len += (int32_t)(end - start);
  return at;
}

/* The slot of buf[start, end), or -1 when it is too long or there is no room this call. */
/*
 * The slot of the n bytes at p (readable up to `limit`), or -1 when they are too long or there is no room this call.
 * A new text is announced in news (as its offsets in the caller's data) when `announce`.
 */
static int32_t intern_bytes(ctx_t *c, const uint8_t *p, uint32_t n, const uint8_t *limit, int announce) {
  if (n > MAX_INTERN || c->news_len + 3 > c->news_cap) return -1;
  scanner_t *s = c->s;
  uint32_t h = hash_bytes(p, n, limit);
  for (uint32_t probe = 0; probe < PROBES; probe++) {
    uint32_t index = (h + probe) & (SLOTS - 1);
    slot_t *slot = &s->slots[index];
    if (slot->call == 0) {
      if (s->arena_used + n > ARENA_BYTES) return -1;
      memcpy(s->arena + s->arena_used, p, n);
      slot->hash = h;
      slot->length = n;
      slot->offset = s->arena_used;
      slot->call = s->call;
      s->arena_used += n;
      s->used++;
      if (announce) {
        c->news[c->news_len++] = (int32_t)index;
        c->news[c->news_len++] = (int32_t)(p - c->buf);
        c->news[c->news_len++] = (int32_t)(p - c->buf + n);
      }
      return (int32_t)index;
    }
    if (slot->hash == h && slot->length == n && same_bytes(s->arena + slot->offset, p, n, limit)) return (int32_t)index;
  }
  return -1;
}

/* The slot of buf[start, end), announced to JavaScript when new. */
static int32_t intern(ctx_t *c, uint32_t start, uint32_t end) {
  return intern_bytes(c, c->buf + start, end - start, c->limit, 1);
}

/* Byte classes: PRINTABLE (0x21..0x7e), KEY ([A-Za-z0-9_]), BARE (printable but `"`, `=`, `^`), DIGIT. */
enum { PRINTABLE = 1, KEY = 2, BARE = 4, DIGIT = 8 };
static uint8_t classes[256];

__attribute__((constructor)) static void init_classes(void) {
  for (int b = 0x21; b < 0x7f; b++) {
    classes[b] = PRINTABLE;
    if (b != '"' && b != '=' && b != '^') classes[b] |= BARE;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_') classes[b] |= KEY;
    if (b >= '0' && b <= '9') classes[b] |= DIGIT;
  }
}

/* The slot of buf[start, end) when it is the text `hint` holds (the same field of the last record of its type), else intern(). */
static int32_t intern_like(ctx_t *c, int32_t hint, uint32_t start, uint32_t end) {
  if (hint >= 0) {
    const slot_t *slot = &c->s->slots[hint];
    if (slot->length == end - start && slot->call != 0 && same_bytes(c->s->arena + slot->offset, c->buf + start, end - start, c->limit))
      return hint;
  }
  return intern(c, start, end);
}

static int printable(uint8_t b) { return classes[b] & PRINTABLE; }
static int key_byte(uint8_t b) { return classes[b] & KEY; }
static int bare_byte(uint8_t b) { return classes[b] & BARE; }

/*
 * The first byte from p (before end) that may not be in a bare value (`"`, `=`, `^`, a blank or control byte, or
 * any byte of 0x7f and above); or, with `quoted`, that ends a quoted value or is worth noting in one (`"`, `=`, a
 * blank or control byte, 0x7f+).
 * Sixteen bytes at a time where the buffer (up to `limit`, the end of the caller's data) allows the load.
 */
static const uint8_t *value_end_from(const uint8_t *p, const uint8_t *end, const uint8_t *limit, int quoted) {
#ifdef __SSE2__
  const __m128i low = _mm_set1_epi8(0x21), high = _mm_set1_epi8(0x7e);
  const __m128i quote = _mm_set1_epi8('"'), equals = _mm_set1_epi8('='), caret = _mm_set1_epi8('^');
  while (p + 16 <= limit) {
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    /* Signed compares: bytes 0x80 and above are negative, so below 0x21. */
    __m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, low), _mm_cmpgt_epi8(v, high));
    stop = _mm_or_si128(stop, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, equals)));
    if (!quoted) stop = _mm_or_si128(stop, _mm_cmpeq_epi8(v, caret));
    int mask = _mm_movemask_epi8(stop);
    if (mask != 0) {
      const uint8_t *at = p + __builtin_ctz((unsigned)mask);
      return at < end ? at : end;
    }
    p += 16;
    if (p >= end) return end;
  }
#else
  (void)limit;
#endif
  if (quoted)
    while (p < end && printable(*p) && *p != '"' && *p != '=') p++;
  else
    while (p < end && bare_byte(*p)) p++;
  return p;
}

static int starts_with(const uint8_t *p, const uint8_t *end, const char *text) {
  size_t n = strlen(text);
  return (size_t)(end - p) >= n && memcmp(p, text, n) == 0;
}

/* Record types whose lines are decoded (log-lines.ts DECODED_TYPES); any other named type is skipped. */
static int decoded_type(const uint8_t *p, const uint8_t *end) {
  if (p < end && *p >= '0' && *p <= '9') return 1;
  return starts_with(p, end, "AVC ") || starts_with(p, end, "USER_AVC ") || starts_with(p, end, "SECCOMP ") ||
         starts_with(p, end, "APPARMOR") || starts_with(p, end, "UNKNOWN");
}

/*
 * An unsigned decimal of 1..15 digits, or -1; `canonical`: without leading zeros too (so that its text is the number's
 * own). Any other value (`0012`, 16 digits) stays text, for the decoders to read as they read any text.
 */
static int64_t decimal(const uint8_t *p, const uint8_t *end, int canonical) {
  if (p >= end || end - p > MAX_DECIMAL_DIGITS || (canonical && *p == '0' && end - p > 1)) return -1;
  int64_t v = 0;
  for (; p < end; p++) {
    if (!(classes[*p] & DIGIT)) return -1;
    v = v * 10 + (*p - '0');
  }
  return v;
}

/*
 * Reads the fields of one plain line from `p` into out from `at`; returns the new `at`, or -1 when the line is
 * not plain (or out has no room).
 */
static int32_t fields(ctx_t *c, memo_t *memos, const uint8_t *p, const uint8_t *end, const uint8_t *limit, int32_t *out,
                      int32_t at, int32_t cap, int32_t *count, uint8_t *shape, int32_t *record_flags) {
  const uint8_t *buf = c->buf;
  scanner_t *s = c->s;
  int32_t n = 0;
  while (p < end) {
    if (at + FIELD_INTS > cap) return -1;
    const uint8_t *key = p;
    p = value_end_from(p, end, limit, 0); /* `=` ends a key; its bytes are checked once per distinct key, below */
    if (p == key || p >= end || *p != '=') return -1;
    const uint8_t *key_end = p++;
    const uint8_t *value = p;
    const uint8_t *value_end;
    int32_t flags = 0;
    int64_t number = -1;
    if (p < end && *p == '"') {
      value = ++p;
      /* Inside quotes `=` and `^` are text (an `=` is noted); a blank, a control byte or the end of the line leave the grammar. */
      p = value_end_from(p, end, limit, 1);
      while (p < end && *p == '=') {
        *record_flags |= RECORD_QUOTED_EQUALS;
        p = value_end_from(p + 1, end, limit, 1);
      }
      if (p >= end || *p != '"') return -1;
      value_end = p;
      p++;
      flags |= FLAG_QUOTED;
    } else {
      p = value_end_from(p, end, limit, 0);
      if (p == value) return -1;
      value_end = p;
      if (key_end - key >= 4 && memcmp(key, "subj", 4) == 0) {
        /* ` (enforce)`-like words belong to a label. */
        while (p + 1 < end && p[0] == ' ' && p[1] == '(') {
          const uint8_t *w = p + 1;
          while (w < end && bare_byte(*w)) w++;
          if (w[-1] != ')' || (w < end && !(*w == ' ' || *w == 0x1d))) break;
          p = w;
          value_end = w;
          flags |= FLAG_LABEL_WORDS;
        }
      }
      if (!flags) {
        number = decimal(value, value_end, 1);
        if (number >= 0) flags |= FLAG_DECIMAL;
      }
    }
    if (p < end) {
      if (*p != ' ' && *p != 0x1d) return -1;
      p++;
      if (p >= end) return -1; /* a trailing blank */
    }
    memo_t *memo = n < MEMO_FIELDS ? &memos[n] : NULL;
    int32_t key_slot = intern_like(c, memo ? memo->key : -1, (uint32_t)(key - buf), (uint32_t)(key_end - buf));
    if (key_slot < 0) return -1; /* keys are always interned: the decoders switch on them */
    if (!s->is_key[key_slot]) {
      for (const uint8_t *k = key; k < key_end; k++)
        if (!key_byte(*k)) return -1;
      s->is_key[key_slot] = 1;
    }
    int32_t value_slot = -1;
    /* A decimal is passed as a number (its text is the number's own); a mostly-unique value is copied, not interned. */
    if (!(flags & FLAG_DECIMAL) && !s->unique[key_slot]) {
      int32_t before = c->news_len;
      value_slot = intern_like(c, memo && memo->key == key_slot ? memo->value : -1, (uint32_t)(value - buf), (uint32_t)(value_end - buf));
      if (s->lookups[key_slot] < UINT16_MAX) {
        s->lookups[key_slot]++;
        if (c->news_len != before) s->inserts[key_slot]++;
        if (s->lookups[key_slot] >= UNIQUE_AFTER && s->inserts[key_slot] * 2u > s->lookups[key_slot]) s->unique[key_slot] = 1;
      }
    }
    if (memo) {
      memo->key = key_slot;
      memo->value = value_slot;
    }
    if (n < SHAPE_FIELDS) {
      shape[3 + 2 * n] = (uint8_t)key_slot;
      shape[4 + 2 * n] = (uint8_t)(key_slot >> 8);
    }
    out[at] = key_slot | (flags << 16);
    out[at + 1] = value_slot;
    if (flags & FLAG_DECIMAL) {
      out[at + 2] = (int32_t)(uint32_t)number;
      out[at + 3] = (int32_t)(number >> 32);
    } else if (value_slot < 0) {
      out[at + 2] = copy_text(c, (uint32_t)(value - buf), (uint32_t)(value_end - buf));
      out[at + 3] = out[at + 2] + (int32_t)(value_end - value);
    } else {
      out[at + 2] = out[at + 3] = 0;
    }
    at += FIELD_INTS;
    n++;
  }
  *count = n;
  return at;
}

/*
 * Scans the complete lines of buf[start, end) (end just past a `\n`, or the end of the data); a line of more than
 * max_line bytes (its `\n` not counted) becomes an OVER_LONG record. Writes records to
 * out, new interned texts to news as (slot, start, end), and texts that are not interned to text.
 * result: [0] where scanning stopped (a line start: call again from there when out or news filled up), [1] ints
 * written, [2] news ints written, [3] lines read (skipped ones included), [4] 1 when the table started over (every
 * slot number of earlier calls may now stand for another text), [5] bytes written to text.
 *
 * A record is HEADER_INTS ints: kind, line start, line end, type slot, node slot (-1: none), stamp start and end (in
 * text), field count, the stamp's seconds (low and high 32 bits), shape slot (-1: none), record flags
 * (RECORD_QUOTED_EQUALS: a quoted value holds `=`). A LINE record fills only the first three, an OVER_LONG record the
 * first four (the fourth: the line's index among this call's lines, from 0). Then
 * FIELD_INTS ints per field: key slot | flags << 16, value slot (-1: not interned), then either the value as a
 * decimal (FLAG_DECIMAL: low and high 32 bits) or its start and end in text (when not interned).
 */
void armorkit_audit_scan(void *scanner, const uint8_t *buf, int32_t start, int32_t end, int32_t max_line, int32_t *out, int32_t out_cap, int32_t *news, int32_t news_cap, uint8_t *text, int32_t text_cap, int32_t *result) {
  scanner_t *s = scanner;
  result[4] = 0;
  /* A full table starts over; slots set in earlier calls are free to be replaced (JavaScript is told again). */
  if (s->used > SLOTS / 2 || s->arena_used > ARENA_BYTES / 2) {
    result[4] = 1;
    memset(s->slots, 0, sizeof(s->slots));
    memset(s->memo, 0xff, sizeof(s->memo));
    memset(s->lookups, 0, sizeof(s->lookups));
    memset(s->inserts, 0, sizeof(s->inserts));
    memset(s->unique, 0, sizeof(s->unique));
    memset(s->is_key, 0, sizeof(s->is_key));
    s->used = 0;
    s->arena_used = 0;
  }
  s->call++;
  if (s->call == 0) s->call = 1;
  ctx_t c = {s, buf, buf + end, news, news_cap, 0, text, text_cap, 0};
  int32_t at = 0;
  int32_t lines = 0;
  const uint8_t *p = buf + start;
  const uint8_t *stop = buf + end;
  while (p < stop) {
    const uint8_t *newline = memchr(p, '\n', (size_t)(stop - p));
    const uint8_t *line_end = newline ? newline : stop;
    const uint8_t *next = newline ? newline + 1 : stop;
    if (line_end - p > max_line) {
      if (at > 0 && at + HEADER_INTS > out_cap) break;
      out[at] = RECORD_OVER_LONG;
      out[at + 1] = (int32_t)(p - buf);
      out[at + 2] = (int32_t)(line_end - buf);
      out[at + 3] = lines++;
      at += HEADER_INTS;
      p = next;
      continue;
    }
    /* Room for this line's record at its largest (a field takes at least 2 bytes, 2 texts and the type, node). */
    int32_t most = (int32_t)(line_end - p) / 2 + 1;
    if (at > 0 && (at + HEADER_INTS + FIELD_INTS * most > out_cap || c.news_len + 3 * (2 * most + 2) > news_cap ||
                   c.text_len + (line_end - p) > text_cap))
      break;
    lines++;
    const uint8_t *q = p;
    int32_t node = -1;
    int plain = 1;
    if (starts_with(q, line_end, "node=")) {
      const uint8_t *name = q + 5;
      q = name;
      while (q < line_end && printable(*q) && *q != '"' && *q != '=') q++;
      if (q == name || q >= line_end || *q != ' ') plain = 0;
      else {
        node = intern(&c, (uint32_t)(name - buf), (uint32_t)(q - buf));
        if (node < 0) plain = 0;
        q++;
      }
    }
    if (!plain || !starts_with(q, line_end, "type=")) {
      /* Another transport (kern.log, dmesg, journald), or an odd node: the string decoders read it. */
      out[at] = RECORD_LINE;
      out[at + 1] = (int32_t)(p - buf);
      out[at + 2] = (int32_t)(line_end - buf);
      at += HEADER_INTS;
      p = next;
      continue;
    }
    q += 5;
    if (line_end - q < 3) {
      out[at] = RECORD_LINE; /* too short to name a type: log-lines.ts keeps it too */
      out[at + 1] = (int32_t)(p - buf);
      out[at + 2] = (int32_t)(line_end - buf);
      at += HEADER_INTS;
      p = next;
      continue;
    }
    if (!decoded_type(q, line_end)) {
      p = next; /* skipped: a record type no decoder reads */
      continue;
    }
    const uint8_t *type = q;
    while (q < line_end && key_byte(*q)) q++;
    const uint8_t *type_end = q;
    const uint8_t *stamp = NULL, *stamp_end = NULL;
    int64_t seconds = -1;
    if (starts_with(q, line_end, " msg=audit(")) {
      stamp = q + 11;
      const uint8_t *r = stamp;
      while (r < line_end && *r >= '0' && *r <= '9') r++;
      seconds = decimal(stamp, r, 0); /* the decoders read `0017…` as 17 too */
      const uint8_t *millis = r + 1, *serial = NULL;
      if (r < line_end && *r == '.') {
        r++;
        while (r < line_end && *r >= '0' && *r <= '9') r++;
        if (r > millis && r < line_end && *r == ':') {
          serial = ++r;
          while (r < line_end && *r >= '0' && *r <= '9') r++;
        }
      }
      if (seconds >= 0 && serial != NULL && r > serial && starts_with(r, line_end, "): ")) {
        stamp_end = r;
        q = r + 3;
      }
    }
    int32_t count = 0;
    int32_t fields_end = -1;
    int32_t text_mark = c.text_len;
    int32_t type_slot = -1;
    int32_t record_flags = 0;
    uint8_t shape[MAX_INTERN + 8];
    if (stamp_end != NULL && q < line_end && c.text_len + (line_end - p) <= text_cap) {
      type_slot = intern(&c, (uint32_t)(type - buf), (uint32_t)(type_end - buf));
      if (type_slot >= 0)
        fields_end = fields(&c, s->memo[type_slot % MEMO_TYPES], q, line_end, stop, out, at + HEADER_INTS, out_cap, &count,
                            shape, &record_flags);
    }
    out[at + 1] = (int32_t)(p - buf);
    out[at + 2] = (int32_t)(line_end - buf);
    if (fields_end < 0) {
      c.text_len = text_mark; /* what the abandoned fields copied */
      out[at] = RECORD_LINE;
      at += HEADER_INTS;
    } else {
      out[at] = RECORD_FIELDS;
      out[at + 3] = type_slot;
      out[at + 4] = node;
      out[at + 5] = copy_text(&c, (uint32_t)(stamp - buf), (uint32_t)(stamp_end - buf));
      out[at + 6] = out[at + 5] + (int32_t)(stamp_end - stamp);
      out[at + 7] = count;
      out[at + 8] = (int32_t)(uint32_t)seconds;
      out[at + 9] = (int32_t)(seconds >> 32);
      out[at + 10] = -1;
      if (count <= SHAPE_FIELDS) {
        shape[0] = 0;
        shape[1] = (uint8_t)type_slot;
        shape[2] = (uint8_t)(type_slot >> 8);
        out[at + 10] = intern_bytes(&c, shape, (uint32_t)(3 + 2 * count), shape + sizeof(shape), 0);
      }
      out[at + 11] = record_flags;
      at = fields_end;
    }
    p = next;
  }
  result[0] = (int32_t)(p - buf);
  result[1] = at;
  result[2] = c.news_len;
  result[3] = lines;
  result[5] = c.text_len;
}
