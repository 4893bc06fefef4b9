/* SPDX-License-Identifier: MIT */
/* Interfaces from sysfs, local addresses and resolv.conf nameservers. */
#include "probe/probe.h"
#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

static struct cdoc_interfaces read_interfaces(const char *fixture)
{
    char *root = probe_test_fixture(fixture);
    struct cdoc_interfaces ifaces;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_interfaces_read(root, &ifaces, &err), 0, "%s",
                 err.msg);
    free(root);
    return ifaces;
}

Test(probe_net, interfaces_flags_and_state)
{
    struct cdoc_interfaces ifaces = read_interfaces("guest");
    const struct cdoc_interface *lo = cdoc_interfaces_find(&ifaces, "lo");
    const struct cdoc_interface *dummy =
        cdoc_interfaces_find(&ifaces, "dummy0");

    cr_assert_eq(ifaces.count, 2, "bonding_masters is not an interface");
    cr_assert_str_eq(ifaces.items[0].name, "dummy0", "sorted by name");
    cr_assert_not_null(lo);
    cr_assert_eq(lo->flags, 0x9);
    cr_assert(lo->flags & IFF_UP);
    cr_assert(lo->flags & IFF_LOOPBACK);
    cr_assert_str_eq(lo->operstate, "unknown");
    cr_assert_not_null(dummy);
    cr_assert_eq(dummy->flags, 0x10c3);
    cr_assert_null(cdoc_interfaces_find(&ifaces, "eth0"));
    cdoc_interfaces_release(&ifaces);
}

Test(probe_net, interface_without_operstate_skipped)
{
    struct cdoc_interfaces ifaces = read_interfaces("net-tree");
    const struct cdoc_interface *eth0 = cdoc_interfaces_find(&ifaces, "eth0");

    cr_assert_eq(ifaces.count, 2);
    cr_assert_null(cdoc_interfaces_find(&ifaces, "half"));
    cr_assert_not_null(eth0);
    cr_assert_eq(eth0->flags, 0x1003);
    cr_assert_str_eq(eth0->operstate, "up");
    cdoc_interfaces_release(&ifaces);
}

Test(probe_net, invalid_flags_named)
{
    char *root = probe_test_fixture("net-bad-flags");
    struct cdoc_interfaces ifaces;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_interfaces_read(root, &ifaces, &err), -1);
    cr_assert(strstr(err.msg, "net-bad-flags/sys/class/net/lo/flags"),
              "got: %s", err.msg);
    cr_assert(strstr(err.msg, "'zz'"), "got: %s", err.msg);
    cr_assert_eq(ifaces.count, 0);
    free(root);
}

Test(probe_net, missing_sysfs_names_path)
{
    struct cdoc_interfaces ifaces;
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_interfaces_read("/nonexistent-root", &ifaces, &err),
                 -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/sys/class/net"), "got: %s",
              err.msg);
}

Test(probe_net, live_interfaces_have_lo)
{
    struct cdoc_interfaces ifaces;
    struct cdoc_err err = {{0}};
    const struct cdoc_interface *lo;

    cr_assert_eq(cdoc_interfaces_read("/", &ifaces, &err), 0, "%s", err.msg);
    lo = cdoc_interfaces_find(&ifaces, "lo");
    cr_assert_not_null(lo);
    cr_assert(lo->flags & IFF_LOOPBACK);
    cdoc_interfaces_release(&ifaces);
}

Test(probe_net, ipv4_addresses_of_lo)
{
    struct cdoc_strings addresses = {0};
    struct cdoc_err err = {{0}};
    bool found = false;

    cr_assert_eq(cdoc_interface_ipv4_addresses("lo", &addresses, &err), 0,
                 "%s", err.msg);
    for (size_t i = 0; i < addresses.count; i++)
        found = found || !strcmp(addresses.items[i], "127.0.0.1");
    cr_assert(found, "lo has no 127.0.0.1");
    cdoc_strings_release(&addresses);
}

Test(probe_net, ipv4_addresses_unknown_interface)
{
    struct cdoc_strings addresses = {0};
    struct cdoc_err err = {{0}};

    cr_assert_eq(
        cdoc_interface_ipv4_addresses("nosuchif0", &addresses, &err), -1);
    cr_assert(strstr(err.msg, "'nosuchif0'"), "got: %s", err.msg);
    cr_assert_eq(addresses.count, 0);
}

Test(probe_net, address_is_local)
{
    cr_assert(cdoc_address_is_local("127.0.0.1"));
    /* 192.0.2.0/24 is TEST-NET-1, never assigned to a real host. */
    cr_assert_not(cdoc_address_is_local("192.0.2.77"));
    cr_assert_not(cdoc_address_is_local("not an address"));
}

Test(probe_net, resolv_nameservers)
{
    char *root = probe_test_fixture("guest");
    struct cdoc_strings servers = {0};
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_resolv_nameservers(root, &servers, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(servers.count, 4);
    cr_assert_str_eq(servers.items[0], "127.0.0.53");
    cr_assert_str_eq(servers.items[1], "10.0.0.1", "trailing # comment");
    cr_assert_str_eq(servers.items[2], "::1", "trailing ; comment");
    cr_assert_str_eq(servers.items[3], "fe80::1%lo");
    cdoc_strings_release(&servers);
    free(root);
}

Test(probe_net, resolv_missing_names_path)
{
    struct cdoc_strings servers = {0};
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_resolv_nameservers("/nonexistent-root", &servers,
                                         &err),
                 -1);
    cr_assert(strstr(err.msg, "/nonexistent-root/etc/resolv.conf"),
              "got: %s", err.msg);
}

/* A root that contains only etc/resolv.conf with these bytes; remove it
 * with probe_test_remove_tree. */
static char *resolv_root(const void *bytes, size_t len)
{
    char *root = probe_test_tmpdir();

    probe_test_write(root, "etc/resolv.conf", bytes, len, 0644);
    return root;
}

Test(probe_net, resolv_nul_ends_only_its_line)
{
    /* glibc reads the line after a NUL byte, so the guard must too. */
    static const char text[] = "\0\nnameserver 10.0.0.1\n";
    char *root = resolv_root(text, sizeof(text) - 1);
    struct cdoc_strings servers = {0};
    struct cdoc_err err = {{0}};

    cr_assert_eq(cdoc_resolv_nameservers(root, &servers, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(servers.count, 1);
    cr_assert_str_eq(servers.items[0], "10.0.0.1");
    cdoc_strings_release(&servers);
    probe_test_remove_tree(root);
    free(root);
}

Test(probe_net, resolv_too_large_is_refused)
{
    size_t len = 16u * 1024 * 1024 + 64;
    char *text = cdoc_xmalloc(len);
    char *root;
    struct cdoc_strings servers = {0};
    struct cdoc_err err = {{0}};

    memset(text, '#', len);
    memcpy(text + len - 22, "\nnameserver 10.0.0.1\n", 22);
    root = resolv_root(text, len);
    cr_assert_eq(cdoc_resolv_nameservers(root, &servers, &err), -1);
    cr_assert_eq(errno, EFBIG);
    cr_assert(strstr(err.msg, "larger than"), "got: %s", err.msg);
    cr_assert_eq(servers.count, 0);
    free(text);
    probe_test_remove_tree(root);
    free(root);
}

Test(probe_net, loopback_addresses)
{
    cr_assert(cdoc_address_is_loopback("127.0.0.1"));
    cr_assert(cdoc_address_is_loopback("127.0.0.53"));
    cr_assert(cdoc_address_is_loopback("127.1.2.3"));
    cr_assert(cdoc_address_is_loopback("127.255.255.255"));
    cr_assert(cdoc_address_is_loopback("::1"));
    cr_assert(cdoc_address_is_loopback("::ffff:127.0.0.1"));
    cr_assert_not(cdoc_address_is_loopback("10.0.0.1"));
    cr_assert_not(cdoc_address_is_loopback("128.0.0.1"));
    cr_assert_not(cdoc_address_is_loopback("126.255.255.255"));
    cr_assert_not(cdoc_address_is_loopback("::2"));
    cr_assert_not(cdoc_address_is_loopback("::"));
    cr_assert_not(cdoc_address_is_loopback("localhost"));
    cr_assert_not(cdoc_address_is_loopback(""));
}
