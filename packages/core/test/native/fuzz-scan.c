/*
 * Random input for native/audit-scan.c, built with AddressSanitizer and UndefinedBehaviorSanitizer by
 * test/audit-scan-fuzz.test.ts: plain records (some with a byte changed), pieces of audit lines and random bytes;
 * output buffers of every size down to a few ints; line caps from a few bytes to 64 KiB, and now and then an input of
 * lines longer than 64 KiB. Checked: progress on every call, news offsets inside the input, nothing written past a
 * capacity, every line over the cap (and no other) an OVER_LONG record; the sanitizers check every access. Prints `ok`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *armorkit_audit_scanner_new(void);
void armorkit_audit_scanner_free(void *scanner);
void armorkit_audit_scan(void *scanner, const uint8_t *buf, int32_t start, int32_t end, int32_t max_line, int32_t *out, int32_t out_cap,
                         int32_t *news, int32_t news_cap, uint8_t *text, int32_t text_cap, int32_t *result);

static const char *pieces[] = {
    "type=", "AVC ", "SECCOMP ", "msg=audit(", "1717430600", ".", "123", ":", "42", "): ", "apparmor=", "\"DENIED\"",
    " ", "\x1d", "=", "\"", "subj=", "x", " (enforce)", "(", ")", "node=", "h", "\n", "k", "v", "0", "007", "^]", "\t",
    "\xff", "name=\"/a b\"", "USER_AVC ", "1400 ",
};

/* Appends a plain auditd record (most of them), sometimes with one byte changed: the fields path gets exercised. */
static int plain_line(uint8_t *b, int at, int n) {
  static const char *types[] = {"AVC", "SECCOMP", "USER_AVC", "1400", "APPARMOR_DENIED"};
  static const char *keys[] = {"apparmor", "operation", "name", "pid", "subj", "comm", "ip", "k", "FSUID", "xapparmor"};
  char line[8192];
  int l = snprintf(line, sizeof line, "%stype=%s msg=audit(%d.%03d:%d): ", rand() % 4 ? "" : "node=h1 ", types[rand() % 5],
                   rand(), rand() % 1000, rand());
  int fields = rand() % 40;
  for (int f = 0; f < fields && l < 7000; f++) {
    int vl = rand() % 8 ? rand() % 12 : rand() % 300;
    l += snprintf(line + l, sizeof line - l, "%s%s=", f == 0 ? "" : (rand() % 10 ? " " : "\x1d"), keys[rand() % 10]);
    int quoted = rand() % 2;
    if (quoted) line[l++] = '"';
    for (int i = 0; i < vl && l < 7900; i++) line[l++] = (char)(rand() % 3 ? 'a' + rand() % 26 : (rand() % 2 ? '0' + rand() % 10 : (quoted ? '=' : '/')));
    if (vl == 0 && !quoted) line[l++] = '1';
    if (quoted) line[l++] = '"';
    if (rand() % 20 == 0) l += snprintf(line + l, sizeof line - l, " (enforce)");
  }
  if (rand() % 8 == 0 && l > 0) line[rand() % l] = (char)(rand() % 256);
  line[l++] = '\n';
  int i = 0;
  for (; i < l && at < n; i++) b[at++] = (uint8_t)line[i];
  return at;
}

enum { HEADER_INTS = 12, FIELD_INTS = 4, RECORD_LINE = 1, RECORD_FIELDS = 2, RECORD_OVER_LONG = 3 };

/* The records of one call: each inside the input, over the cap exactly when OVER_LONG. 0 when they are right. */
static int check_records(const int32_t *out, const int32_t *r, int start, int n, int max_line) {
  for (int at = 0; at < r[1];) {
    int kind = out[at], line_start = out[at + 1], line_end = out[at + 2];
    if (line_start < start || line_end > n || line_start > line_end) return fprintf(stderr, "record outside the input\n"), 1;
    if ((line_end - line_start > max_line) != (kind == RECORD_OVER_LONG)) return fprintf(stderr, "line of %d bytes, cap %d, kind %d\n", line_end - line_start, max_line, kind), 1;
    if (kind == RECORD_OVER_LONG && (out[at + 3] < 0 || out[at + 3] >= r[3])) return fprintf(stderr, "over-long line index %d of %d\n", out[at + 3], r[3]), 1;
    if (kind == RECORD_FIELDS) at += HEADER_INTS + FIELD_INTS * out[at + 7];
    else if (kind == RECORD_LINE || kind == RECORD_OVER_LONG) at += HEADER_INTS;
    else return fprintf(stderr, "unknown record kind %d\n", kind), 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
  srand(seed);
  void *s = armorkit_audit_scanner_new();
  for (int iter = 0; iter < 20000; iter++) {
    /* Now and then lines past the real cap: long runs without a line break. */
    int huge = iter % 500 == 0;
    int n = huge ? 200000 + rand() % 200000 : rand() % 6000 + 1;
    uint8_t *b = malloc(n);
    int at = 0;
    while (at < n) {
      int pick = rand() % (huge ? 5 : 4);
      if (pick == 4) {
        int run = 60000 + rand() % 80000;
        for (int i = 0; i < run && at < n; i++) b[at++] = (uint8_t)('a' + rand() % 26);
      } else if (pick == 0) b[at++] = (uint8_t)(rand() % 256);
      else if (pick == 1) at = plain_line(b, at, n);
      else {
        const char *p = pieces[rand() % (sizeof pieces / sizeof *pieces)];
        int l = (int)strlen(p);
        for (int i = 0; i < l && at < n; i++) b[at++] = (uint8_t)p[i];
      }
    }
    int cap = rand() % 2 ? 1 << 16 : 40 + rand() % 200;
    int ncap = rand() % 2 ? 3 << 12 : 12 + rand() % 60;
    int tcap = rand() % 2 ? 1 << 16 : rand() % 300;
    int32_t *out = malloc(cap * 4);
    int32_t *news = malloc(ncap * 4);
    uint8_t *text = malloc(tcap + 1);
    int max_line = huge || rand() % 2 ? 1 << 16 : rand() % 400;
    int32_t r[6];
    int start = 0;
    while (start < n) {
      armorkit_audit_scan(s, b, start, n, max_line, out, cap, news, ncap, text, tcap, r);
      if (r[0] <= start) {
        fprintf(stderr, "no progress at %d\n", start);
        return 1;
      }
      for (int i = 0; i < r[2]; i += 3)
        if (news[i + 1] < start || news[i + 2] > n || news[i + 1] > news[i + 2]) {
          fprintf(stderr, "news outside the input\n");
          return 1;
        }
      if (r[1] > cap || r[2] > ncap || r[5] > tcap) {
        fprintf(stderr, "output past its capacity\n");
        return 1;
      }
      if (check_records(out, r, start, n, max_line)) return 1;
      start = r[0];
    }
    free(b);
    free(out);
    free(news);
    free(text);
  }
  armorkit_audit_scanner_free(s);
  puts("ok");
  return 0;
}
