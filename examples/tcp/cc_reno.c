// SPDX-License-Identifier: MIT
/* Loads cc_reno.bpf.o through its skeleton and registers bpf_reno with the kernel's TCP stack by
 * attaching its struct_ops map (the kernel associates the map's programs with it then); a TCP
 * socket then selects it by name, as an application would, before everything is detached. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include "cc_reno.skel.h"

int main(void)
{
	struct cc_reno *skel;
	struct bpf_link *link = NULL;
	char name[16] = "bpf_reno";
	int err = 1, fd;

	skel = cc_reno__open_and_load();
	if (!skel) {
		fprintf(stderr, "open and load failed\n");
		return 1;
	}
	link = bpf_map__attach_struct_ops(skel->maps.bpf_reno);
	if (!link) {
		fprintf(stderr, "registering bpf_reno failed\n");
		goto out;
	}

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		goto out;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name))) {
		perror("setsockopt(TCP_CONGESTION, bpf_reno)");
	} else {
		printf("a TCP socket uses bpf_reno\n");
		err = 0;
	}
	close(fd);
out:
	bpf_link__destroy(link);
	cc_reno__destroy(skel);
	return err;
}
