/* SPDX-License-Identifier: MIT */
/* ca_read and bundle_contains on certificates minted by the test. */
#include "net_fixture.h"

#include "probe_helpers.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY (24L * 3600)

static char *dir;
static char *ca_file, *other_file, *impostor_file, *leaf_file;

/* Mint the certificates; no server is needed. */
static void make_certs(void)
{
    struct net_test_cert ca, other, impostor, leaf;

    dir = net_test_make_dir();
    net_test_make_ca(&ca, NET_TEST_CA_NAME, -3600, DAY);
    net_test_make_ca(&other, "capsem-doctor other test CA", -3600, DAY);
    net_test_make_ca(&impostor, NET_TEST_CA_NAME, -3600, DAY);
    net_test_make_leaf(&leaf, &ca, NET_TEST_ALLOWED,
                       "DNS:" NET_TEST_ALLOWED);
    ca_file = net_test_write_cert(&ca, dir, "ca");
    other_file = net_test_write_cert(&other, dir, "other");
    impostor_file = net_test_write_cert(&impostor, dir, "impostor");
    leaf_file = net_test_write_cert(&leaf, dir, "leaf");
    net_test_cert_release(&ca);
    net_test_cert_release(&other);
    net_test_cert_release(&impostor);
    net_test_cert_release(&leaf);
}

static void remove_certs(void)
{
    free(ca_file);
    free(other_file);
    free(impostor_file);
    free(leaf_file);
    net_test_remove_dir(dir);
    dir = NULL;
}

/* The contents of a file, for building bundles; the caller frees it. */
static char *slurp(const char *path)
{
    FILE *file = fopen(path, "r");
    char *text = cdoc_xcalloc(1, 16384);

    cr_assert_not_null(file, "cannot read %s", path);
    fread(text, 1, 16383, file);
    fclose(file);
    return text;
}

/* <dir>/<name> holding the given files one after the other; the caller
 * frees the path. */
static char *write_bundle(const char *name, const char *const files[])
{
    struct cdoc_buf text = {0};

    cdoc_buf_puts(&text, "");
    for (size_t i = 0; files[i]; i++) {
        char *part = slurp(files[i]);

        cdoc_buf_puts(&text, part);
        free(part);
    }
    probe_test_write_text(dir, name, text.data);
    cdoc_buf_release(&text);
    return cdoc_xasprintf("%s/%s", dir, name);
}

static struct cdoc_ca_info read_ca(const char *path)
{
    struct cdoc_ca_info info;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->ca_read(path, &info, &err), 0, "%s",
                 err.msg);
    return info;
}

static struct cdoc_bundle_match look_up(const char *bundle, const char *ca)
{
    struct cdoc_bundle_match match;
    struct cdoc_err err = {{0}};

    cr_assert_eq(net_test_library()->bundle_contains(bundle, ca, &match,
                                                     &err),
                 0, "%s", err.msg);
    return match;
}

Test(net_ca, read_valid_ca, .init = make_certs, .fini = remove_certs)
{
    struct cdoc_ca_info info = read_ca(ca_file);

    cr_assert_not_null(info.subject);
    cr_expect(strstr(info.subject, "CN = " NET_TEST_CA_NAME), "subject %s",
              info.subject);
    cr_expect(info.is_ca);
    cr_expect_not(info.expired);
    cr_expect_not(info.not_yet_valid);
    net_test_library()->ca_info_release(&info);
}

Test(net_ca, read_leaf_not_ca, .init = make_certs, .fini = remove_certs)
{
    struct cdoc_ca_info info = read_ca(leaf_file);

    cr_expect_not(info.is_ca, "basicConstraints CA:FALSE");
    net_test_library()->ca_info_release(&info);
}

Test(net_ca, read_expired_and_future, .init = make_certs,
     .fini = remove_certs)
{
    struct net_test_cert expired, future;
    char *expired_file, *future_file;
    struct cdoc_ca_info info;

    net_test_make_ca(&expired, "expired CA", -2 * DAY, -DAY);
    net_test_make_ca(&future, "future CA", DAY, 2 * DAY);
    expired_file = net_test_write_cert(&expired, dir, "expired");
    future_file = net_test_write_cert(&future, dir, "future");

    info = read_ca(expired_file);
    cr_expect(info.expired);
    cr_expect_not(info.not_yet_valid);
    net_test_library()->ca_info_release(&info);
    info = read_ca(future_file);
    cr_expect_not(info.expired);
    cr_expect(info.not_yet_valid);
    net_test_library()->ca_info_release(&info);

    net_test_cert_release(&expired);
    net_test_cert_release(&future);
    free(expired_file);
    free(future_file);
}

Test(net_ca, read_errors_name_file, .init = make_certs, .fini = remove_certs)
{
    const struct cdoc_net *net = net_test_library();
    char *key_file = cdoc_xasprintf("%s/ca.key", dir);
    struct cdoc_ca_info info;
    struct cdoc_err err = {{0}};

    cr_expect_eq(net->ca_read("/nonexistent/ca.pem", &info, &err), -1);
    cr_expect(strstr(err.msg, "/nonexistent/ca.pem"), "got: %s", err.msg);
    cr_expect_eq(net->ca_read(key_file, &info, &err), -1,
                 "a key file contains no certificate");
    cr_expect(strstr(err.msg, key_file), "got: %s", err.msg);
    cr_expect_null(info.subject);
    free(key_file);
}

Test(net_ca, bundle_found, .init = make_certs, .fini = remove_certs)
{
    char *key_file = cdoc_xasprintf("%s/leaf.key", dir);
    const char *files[] = {other_file, key_file, leaf_file, ca_file, NULL};
    char *bundle = write_bundle("bundle.pem", files);
    struct cdoc_bundle_match match = look_up(bundle, ca_file);

    cr_expect_eq(match.certificates, 3, "the key block is not counted");
    cr_expect(match.found);
    free(bundle);
    free(key_file);
}

Test(net_ca, bundle_not_found, .init = make_certs, .fini = remove_certs)
{
    const char *files[] = {other_file, leaf_file, NULL};
    char *bundle = write_bundle("bundle.pem", files);
    struct cdoc_bundle_match match = look_up(bundle, ca_file);

    cr_expect_eq(match.certificates, 2);
    cr_expect_not(match.found);
    free(bundle);
}

Test(net_ca, bundle_impostor_not_found, .init = make_certs,
     .fini = remove_certs)
{
    /* Same subject, other key: only a byte comparison separates them. */
    const char *files[] = {impostor_file, NULL};
    char *bundle = write_bundle("bundle.pem", files);
    struct cdoc_bundle_match match = look_up(bundle, ca_file);

    cr_expect_eq(match.certificates, 1);
    cr_expect_not(match.found);
    free(bundle);
}

Test(net_ca, bundle_empty, .init = make_certs, .fini = remove_certs)
{
    const char *files[] = {NULL};
    char *bundle = write_bundle("empty.pem", files);
    struct cdoc_bundle_match match = look_up(bundle, ca_file);

    cr_expect_eq(match.certificates, 0);
    cr_expect_not(match.found);
    free(bundle);
}

Test(net_ca, bundle_errors_name_file, .init = make_certs,
     .fini = remove_certs)
{
    const struct cdoc_net *net = net_test_library();
    const char *files[] = {ca_file, NULL};
    char *good = write_bundle("good.pem", files);
    struct cdoc_bundle_match match;
    struct cdoc_err err = {{0}};
    char *broken;

    cr_expect_eq(net->bundle_contains("/nonexistent/bundle.pem", ca_file,
                                      &match, &err),
                 -1);
    cr_expect(strstr(err.msg, "/nonexistent/bundle.pem"), "got: %s",
              err.msg);
    cr_expect_eq(net->bundle_contains(good, "/nonexistent/ca.pem", &match,
                                      &err),
                 -1);
    cr_expect(strstr(err.msg, "/nonexistent/ca.pem"), "got: %s", err.msg);

    probe_test_write_text(dir, "broken.pem",
                          "-----BEGIN CERTIFICATE-----\n"
                          "bm90IGEgY2VydGlmaWNhdGU=\n"
                          "-----END CERTIFICATE-----\n");
    broken = cdoc_xasprintf("%s/broken.pem", dir);
    cr_expect_eq(net->bundle_contains(broken, ca_file, &match, &err), -1);
    cr_expect(strstr(err.msg, "certificate 1"), "got: %s", err.msg);
    cr_expect(strstr(err.msg, broken), "got: %s", err.msg);
    free(broken);
    free(good);
}

Test(net_ca, bundle_fifo_directory_and_huge_file_refused,
     .init = make_certs, .fini = remove_certs)
{
    const struct cdoc_net *net = net_test_library();
    char *fifo = cdoc_xasprintf("%s/bundle.fifo", dir);
    char *huge = cdoc_xasprintf("%s/huge.pem", dir);
    struct cdoc_bundle_match match;
    struct cdoc_err err = {{0}};
    int fd;

    /* A FIFO with no writer would block a reader until the check's
     * limit; it must be refused at once. */
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_expect_eq(net->bundle_contains(fifo, ca_file, &match, &err), -1);
    cr_expect(strstr(err.msg, "is not a regular file"), "got: %s", err.msg);

    cr_expect_eq(net->bundle_contains(dir, ca_file, &match, &err), -1);
    cr_expect(strstr(err.msg, "is a directory"), "got: %s", err.msg);

    fd = open(huge, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, 65 * 1024 * 1024), 0);
    close(fd);
    cr_expect_eq(net->bundle_contains(huge, ca_file, &match, &err), -1);
    cr_expect(strstr(err.msg, "more than the"), "got: %s", err.msg);

    unlink(fifo);
    unlink(huge);
    free(fifo);
    free(huge);
}
