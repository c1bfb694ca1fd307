import koffi, { type LibraryHandle, type TypeObject } from 'koffi';

// The libbpf (Debian libbpf1) and libc calls the enforcer uses, bound through koffi on first use.

export interface Libbpf {
  openObject(path: string): unknown;
  loadObject(object: unknown): number;
  closeObject(object: unknown): void;
  nextProgram(object: unknown, previous: unknown): unknown;
  programName(program: unknown): string;
  attach(program: unknown): unknown;
  pinLink(link: unknown, path: string): number;
  destroyLink(link: unknown): number;
  /** Forget the link without detaching it (its pin keeps the program attached). */
  disconnectLink(link: unknown): void;
  findMap(object: unknown, name: string): unknown;
  pinMap(map: unknown, path: string): number;
  mapFd(map: unknown): number;
  objGet(path: string): number;
  objPin(fd: number, path: string): number;
  mapCreate(type: number, name: string, keySize: number, valueSize: number, maxEntries: number, options: Buffer): number;
  update(fd: number, key: Buffer, value: Buffer, flags: number): number;
  lookup(fd: number, key: Buffer, value: Buffer): number;
  remove(fd: number, key: Buffer): number;
  nextKey(fd: number, key: Buffer | null, next: Buffer): number;
  mapFdById(id: number): number;
  ringBufferNew(fd: number, callback: unknown): unknown;
  ringBufferConsume(ring: unknown): number;
  ringBufferFree(ring: unknown): void;
  setPrint(callback: unknown): unknown;
  close(fd: number): number;
  /** libc vsnprintf, to format libbpf's log lines (x86-64, where va_list is passed as a pointer). */
  format(buffer: Buffer, format: unknown, args: unknown): number;
  errno(): number;
  /** The callback type ring_buffer__new takes. */
  sampleCallback: TypeObject;
  printCallback: TypeObject;
}

let bound: Libbpf | undefined;

/** libbpf.so.1 bound, or the reason it cannot be (not installed). */
export function libbpf(): Libbpf | { problem: string } {
  if (bound) return bound;
  let library: LibraryHandle;
  let libc: LibraryHandle;
  try {
    library = koffi.load('libbpf.so.1');
    libc = koffi.load('libc.so.6');
  } catch (error) {
    return { problem: `libbpf.so.1 cannot be loaded (${(error as Error).message}); install libbpf1 (Debian: apt-get install libbpf1)` };
  }
  const sampleCallback = koffi.proto('int armorkit_ring_sample(void *context, void *data, size_t size)');
  const printCallback = koffi.proto('int armorkit_libbpf_print(int level, void *format, void *args)');
  const fn = (signature: string) => library.func(signature);
  const openObject = fn('void *bpf_object__open_file(const char *path, void *opts)');
  const loadObject = fn('int bpf_object__load(void *object)');
  const closeObject = fn('void bpf_object__close(void *object)');
  const nextProgram = fn('void *bpf_object__next_program(void *object, void *previous)');
  const programName = fn('const char *bpf_program__name(void *program)');
  const attach = fn('void *bpf_program__attach(void *program)');
  const pinLink = fn('int bpf_link__pin(void *link, const char *path)');
  const destroyLink = fn('int bpf_link__destroy(void *link)');
  const disconnectLink = fn('void bpf_link__disconnect(void *link)');
  const findMap = fn('void *bpf_object__find_map_by_name(void *object, const char *name)');
  const pinMap = fn('int bpf_map__pin(void *map, const char *path)');
  const mapFd = fn('int bpf_map__fd(void *map)');
  const objGet = fn('int bpf_obj_get(const char *path)');
  const objPin = fn('int bpf_obj_pin(int fd, const char *path)');
  const mapCreate = fn('int bpf_map_create(int type, const char *name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, const void *opts)');
  const update = fn('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)');
  const lookup = fn('int bpf_map_lookup_elem(int fd, const void *key, _Out_ void *value)');
  const remove = fn('int bpf_map_delete_elem(int fd, const void *key)');
  const nextKey = fn('int bpf_map_get_next_key(int fd, const void *key, _Out_ void *next)');
  const mapFdById = fn('int bpf_map_get_fd_by_id(uint32_t id)');
  const ringBufferNew = fn('void *ring_buffer__new(int fd, armorkit_ring_sample *callback, void *context, void *opts)');
  const ringBufferConsume = fn('int ring_buffer__consume(void *ring)');
  const ringBufferFree = fn('void ring_buffer__free(void *ring)');
  const setPrint = fn('void *libbpf_set_print(armorkit_libbpf_print *callback)');
  const close = libc.func('int close(int fd)');
  const vsnprintf = libc.func('int vsnprintf(_Out_ uint8_t *buffer, size_t size, void *format, void *args)');
  bound = {
    openObject: (path) => openObject(path, null),
    loadObject: (object) => loadObject(object) as number,
    closeObject: (object) => closeObject(object),
    nextProgram: (object, previous) => nextProgram(object, previous),
    programName: (program) => programName(program) as string,
    attach: (program) => attach(program),
    pinLink: (link, path) => pinLink(link, path) as number,
    destroyLink: (link) => destroyLink(link) as number,
    disconnectLink: (link) => disconnectLink(link),
    findMap: (object, name) => findMap(object, name),
    pinMap: (map, path) => pinMap(map, path) as number,
    mapFd: (map) => mapFd(map) as number,
    objGet: (path) => objGet(path) as number,
    objPin: (fd, path) => objPin(fd, path) as number,
    mapCreate: (type, name, keySize, valueSize, maxEntries, options) => mapCreate(type, name, keySize, valueSize, maxEntries, options) as number,
    update: (fd, key, value, flags) => update(fd, key, value, flags) as number,
    lookup: (fd, key, value) => lookup(fd, key, value) as number,
    remove: (fd, key) => remove(fd, key) as number,
    nextKey: (fd, key, next) => nextKey(fd, key, next) as number,
    mapFdById: (id) => mapFdById(id) as number,
    ringBufferNew: (fd, callback) => ringBufferNew(fd, callback, null, null),
    ringBufferConsume: (ring) => ringBufferConsume(ring) as number,
    ringBufferFree: (ring) => ringBufferFree(ring),
    setPrint: (callback) => setPrint(callback),
    close: (fd) => close(fd) as number,
    format: (buffer, format, args) => vsnprintf(buffer, buffer.length, format, args) as number,
    errno: () => koffi.errno(),
    sampleCallback,
    printCallback,
  };
  return bound;
}
