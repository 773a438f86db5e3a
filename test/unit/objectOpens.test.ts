// bpf_object__open_mem() opens the object whose bytes its buffer holds: the buffer named as
// `xxd -i` names a file's array (knot's bpf_kernel_o[] for bpf-kernel.o) links the loader to that
// object; a buffer named otherwise links nothing. Real parser, real workspace.
import { strict as assert } from 'node:assert';
import { loadGrammar } from '../../server/src/analysis/c/parser';
import type { LoaderFacts } from '../../server/src/analysis/facts';
import { objectFileOfArray } from '../../server/src/analysis/loader/objectOpens';
import { Workspace } from '../../server/src/analysis/workspace';

const KERNEL = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int xdp_redirect_dns_func(struct xdp_md *ctx)
{
	return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

const user = (buffer: string) => `#include <bpf/libbpf.h>
extern unsigned char bpf_kernel_o[];
extern unsigned int bpf_kernel_o_len;
static int prog_load(struct bpf_object **pobj, const unsigned char *other)
{
	struct bpf_object *obj = bpf_object__open_mem(${buffer}, bpf_kernel_o_len, NULL);
	if (!obj)
		return -1;
	if (bpf_object__load(obj))
		return -1;
	*pobj = obj;
	return 0;
}
`;

describe('bpf_object__open_mem: the object whose bytes it is given', () => {
  before(async () => {
    await loadGrammar();
  });

  it('names the file an xxd -i array was made from', () => {
    assert.equal(objectFileOfArray('bpf_kernel_o'), 'bpf_kernel.o');
    assert.equal(objectFileOfArray('clat_bpf_o'), 'clat.bpf.o');
    assert.equal(objectFileOfArray('buffer'), null);
  });

  for (const [buffer, linked] of [
    ['bpf_kernel_o', true],
    ['&bpf_kernel_o[0]', true],
    ['other', false],
  ] as const) {
    it(`open_mem(${buffer}, ...): ${linked ? 'the loader of bpf-kernel.c\'s object' : 'no object (unlinked)'}`, () => {
      const ws = new Workspace();
      ws.setFile('/k/xdp/bpf-kernel.c', KERNEL);
      ws.setFile('/k/xdp/bpf-user.c', user(buffer));
      const model = ws.model();
      const facts = ws.facts('/k/xdp/bpf-user.c') as LoaderFacts;
      assert.deepEqual(facts.actions.map((a) => a.kind), linked ? ['open', 'load'] : []);
      assert.deepEqual(model.objects.map((o) => [o.id, o.loaders]), [['bpf_kernel', linked ? ['/k/xdp/bpf-user.c'] : []]]);
      ws.dispose();
    });
  }
});
