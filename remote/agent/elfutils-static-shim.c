// SPDX-License-Identifier: MIT
/*
 * Linked only into the static agent. Debian's libelf.a 0.192 (bookworm-backports) refers to
 * elfutils' internal search-tree helpers (libeu) without containing them, so a static link fails
 * with "undefined reference to eu_search_tree_init". These are the same operations for a
 * single-threaded program: the tree's root is the first member of elfutils' search_tree, the
 * lock after it is left as calloc'd zeroes (a valid unlocked rwlock in glibc) and never used.
 */
#define _GNU_SOURCE
#include <search.h>
#include <stddef.h>

struct eu_search_tree {
	void *root;
};

void *eu_tsearch(const void *key, struct eu_search_tree *tree, int (*compare)(const void *, const void *))
{
	return tsearch(key, &tree->root, compare);
}

void *eu_tfind(const void *key, struct eu_search_tree *tree, int (*compare)(const void *, const void *))
{
	return tfind(key, &tree->root, compare);
}

void *eu_tdelete(const void *key, struct eu_search_tree *tree, int (*compare)(const void *, const void *))
{
	return tdelete(key, &tree->root, compare);
}

void eu_tdestroy(struct eu_search_tree *tree, void (*free_node)(void *))
{
	tdestroy(tree->root, free_node);
	tree->root = NULL;
}

void eu_search_tree_init(struct eu_search_tree *tree)
{
	tree->root = NULL;
}

void eu_search_tree_fini(struct eu_search_tree *tree, void (*free_node)(void *))
{
	eu_tdestroy(tree, free_node);
}
