import koffi from 'koffi';

/** The few libbpf (Debian libbpf1) calls the kernel tests need, bound through koffi. */
const library = koffi.load('libbpf.so.1');
const openFile = library.func('void *bpf_object__open_file(const char *path, void *opts)');
const loadObject = library.func('int bpf_object__load(void *object)');
const closeObject = library.func('void bpf_object__close(void *object)');
const findProgram = library.func('void *bpf_object__find_program_by_name(void *object, const char *name)');
const attachProgram = library.func('void *bpf_program__attach(void *program)');
const destroyLink = library.func('int bpf_link__destroy(void *link)');
const findMap = library.func('void *bpf_object__find_map_by_name(void *object, const char *name)');
const updateMapElement = library.func(
  'int bpf_map__update_elem(void *map, const void *key, size_t key_size, const void *value, size_t value_size, uint64_t flags)',
);

function failure(call: string, code: number = koffi.errno()): Error {
  return new Error(`${call} failed: errno ${Math.abs(code)}`);
}

/** A loaded BPF object whose programs are attached; `close` detaches and unloads everything. */
export class LoadedBpfObject {
  private readonly links: unknown[] = [];
  private constructor(private readonly object: unknown) {}

  static load(objectPath: string): LoadedBpfObject {
    const object = openFile(objectPath, null);
    if (!object) throw failure(`bpf_object__open_file(${objectPath})`);
    const result = loadObject(object) as number;
    if (result !== 0) {
      closeObject(object);
      throw failure('bpf_object__load', result);
    }
    return new LoadedBpfObject(object);
  }

  attach(programName: string): void {
    const program = findProgram(this.object, programName);
    if (!program) throw failure(`bpf_object__find_program_by_name(${programName})`);
    const link = attachProgram(program);
    if (!link) throw failure(`bpf_program__attach(${programName})`);
    this.links.push(link);
  }

  updateMap(mapName: string, key: Buffer, value: Buffer): void {
    const map = findMap(this.object, mapName);
    if (!map) throw failure(`bpf_object__find_map_by_name(${mapName})`);
    const result = updateMapElement(map, key, key.length, value, value.length, 0) as number;
    if (result !== 0) throw failure(`bpf_map__update_elem(${mapName})`, result);
  }

  close(): void {
    for (const link of this.links.splice(0)) destroyLink(link);
    closeObject(this.object);
  }
}
