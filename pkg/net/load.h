/* SPDX-License-Identifier: MIT */
/* The steps of cdoc_net_load, declared apart so that tests can run them
 * with an executable path of their choosing. */
#ifndef CDOC_NET_LOAD_H
#define CDOC_NET_LOAD_H

#include "net/net.h"

/* Fill paths with where the library is looked for, in order, for the
 * executable exe_path: its directory, then ../lib/capsem-doctor/. */
void cdoc__net_library_paths(const char *exe_path,
                             struct cdoc_strings *paths);

/* Load the library for the executable exe_path, without the cache of
 * cdoc_net_load. Errors as for cdoc_net_load. */
const struct cdoc_net *cdoc__net_load_from(const char *exe_path,
                                           struct cdoc_err *err);

#endif
