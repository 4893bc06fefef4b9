/* SPDX-License-Identifier: MIT */
/* Finding and loading libcapsem-doctor-net.so. */
#include "net/load.h"
#include "net_fixture.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(net_load, found_beside_executable)
{
    struct cdoc_err err = {{0}};
    const struct cdoc_net *net = cdoc_net_load(&err);

    cr_assert_not_null(net, "%s", err.msg);
    cr_expect_eq(net->abi, CDOC_NET_ABI);
    cr_expect_not_null(net->dns_query);
    cr_expect_not_null(net->tls_probe);
    cr_expect_not_null(net->http_request);
    cr_expect_not_null(net->ca_read);
    cr_expect_not_null(net->bundle_contains);
    cr_expect_eq(cdoc_net_load(&err), net, "the table is cached");
}

Test(net_load, paths_for_executable)
{
    struct cdoc_strings paths;

    cdoc__net_library_paths("/opt/capsem/bin/capsem-doctor", &paths);
    cr_assert_eq(paths.count, 2);
    cr_expect_str_eq(paths.items[0],
                     "/opt/capsem/bin/libcapsem-doctor-net.so");
    cr_expect_str_eq(paths.items[1], "/opt/capsem/bin/../lib/capsem-doctor/"
                     "libcapsem-doctor-net.so");
    cdoc_strings_release(&paths);

    cdoc__net_library_paths("/capsem-doctor", &paths);
    cr_assert_eq(paths.count, 2);
    cr_expect_str_eq(paths.items[0], "/libcapsem-doctor-net.so");
    cdoc_strings_release(&paths);
}

Test(net_load, missing_library_names_paths)
{
    char *dir = net_test_make_dir();
    char *exe = cdoc_xasprintf("%s/bin/capsem-doctor", dir);
    struct cdoc_err err = {{0}};

    cr_expect_null(cdoc__net_load_from(exe, &err));
    cr_expect(strstr(err.msg, "/bin/libcapsem-doctor-net.so ("),
              "got: %s", err.msg);
    cr_expect(strstr(err.msg, "/bin/../lib/capsem-doctor/"
                              "libcapsem-doctor-net.so ("),
              "got: %s", err.msg);
    cr_expect(strstr(err.msg, "No such file or directory"), "got: %s",
              err.msg);
    cr_expect(strstr(err.msg, "build capsem-doctor again"), "got: %s",
              err.msg);
    free(exe);
    net_test_remove_dir(dir);
}

Test(net_load, not_a_library_named)
{
    char *dir = net_test_make_dir();
    char *exe = cdoc_xasprintf("%s/bin/capsem-doctor", dir);
    char *fake = cdoc_xasprintf("%s/bin/libcapsem-doctor-net.so", dir);
    struct cdoc_err err = {{0}};
    char text[512];

    /* Longer than an ELF header, so that the loader reads one. */
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    probe_test_write_text(dir, "bin/libcapsem-doctor-net.so", text);
    cr_expect_null(cdoc__net_load_from(exe, &err));
    cr_expect(strstr(err.msg, fake), "got: %s", err.msg);
    cr_expect(strstr(err.msg, "invalid ELF header"), "dlerror's reason: %s",
              err.msg);
    free(fake);
    free(exe);
    net_test_remove_dir(dir);
}

/* Copy the library built beside unit-tests to path. */
static void copy_built_library(const char *path)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *built;
    int in, out;
    char buf[65536];
    ssize_t n;

    cr_assert_gt(len, 0);
    exe[len] = '\0';
    *strrchr(exe, '/') = '\0';
    built = cdoc_xasprintf("%s/%s", exe, CDOC_NET_LIBRARY);
    in = open(built, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(in, 0, "cannot open %s", built);
    out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    cr_assert_geq(out, 0, "cannot create %s", path);
    while ((n = read(in, buf, sizeof(buf))) > 0)
        cr_assert_eq(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
    free(built);
}

Test(net_load, installed_layout)
{
    char *dir = net_test_make_dir();
    char *exe = cdoc_xasprintf("%s/bin/capsem-doctor", dir);
    char *lib = cdoc_xasprintf("%s/lib/capsem-doctor/%s", dir,
                               CDOC_NET_LIBRARY);
    struct cdoc_err err = {{0}};
    const struct cdoc_net *net;

    probe_test_mkdirs(dir, "bin");
    probe_test_mkdirs(dir, "lib/capsem-doctor");
    copy_built_library(lib);
    net = cdoc__net_load_from(exe, &err);
    cr_assert_not_null(net, "%s", err.msg);
    cr_expect_eq(net->abi, CDOC_NET_ABI);
    free(lib);
    free(exe);
    net_test_remove_dir(dir);
}
