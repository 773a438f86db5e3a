/* SPDX-License-Identifier: MIT */
#ifndef BPF_ASSOC_SCENARIOS_H
#define BPF_ASSOC_SCENARIOS_H

void scenario_two_maps(const char *dir);
void scenario_reuse(const char *dir);
void scenario_timer(const char *dir);
void scenario_timer_map_gone(const char *dir);
void scenario_keepalive(const char *dir);

#endif
