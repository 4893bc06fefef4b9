/* SPDX-License-Identifier: MIT */
/* Reading CA certificates and looking for one in a PEM bundle. */
#include "net/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cdoc__openssl_error(const char *fallback)
{
    unsigned long code = ERR_peek_last_error();
    char text[256];

    ERR_clear_error();
    if (code == 0)
        return cdoc_xstrdup(fallback);
    ERR_error_string_n(code, text, sizeof(text));
    return cdoc_xstrdup(text);
}

char *cdoc__name_oneline(const X509_NAME *name)
{
    BIO *out = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    char *text;

    if (!out)
        return cdoc_xstrdup("");
    /* XN_FLAG_ONELINE escapes control and non-ASCII bytes, so the text is
     * safe to put in every report format. */
    X509_NAME_print_ex(out, name, 0, XN_FLAG_ONELINE);
    len = BIO_get_mem_data(out, &data);
    text = cdoc_xmalloc((size_t)len + 1);
    if (len > 0)
        memcpy(text, data, (size_t)len);
    text[len] = '\0';
    BIO_free(out);
    return text;
}

/* A bundle of every public root is about 200 KiB; anything past this is
 * not a certificate file, and parsing it could outlast the check. */
#define PEM_FILE_MAX (64 * 1024 * 1024)

/*
 * Open path for reading when it is a regular file of at most PEM_FILE_MAX
 * bytes; what names it in errors ("certificate file"). A FIFO would block
 * the check until its time limit, and a directory reads as empty.
 */
static FILE *open_pem_file(const char *path, const char *what,
                           struct cdoc_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    FILE *file;

    if (fd < 0) {
        cdoc_errf(err, "cannot open %s %s: %s", what, path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        cdoc_errf(err, "cannot read %s %s: %s", what, path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > PEM_FILE_MAX) {
        if (S_ISDIR(st.st_mode))
            cdoc_errf(err, "%s %s is a directory, not a file", what, path);
        else if (!S_ISREG(st.st_mode))
            cdoc_errf(err, "%s %s is not a regular file", what, path);
        else
            cdoc_errf(err, "%s %s is %lld bytes, more than the %d that "
                      "the doctor reads as PEM", what, path,
                      (long long)st.st_size, PEM_FILE_MAX);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    file = fdopen(fd, "r");
    if (!file) {
        cdoc_errf(err, "cannot read %s %s: %s", what, path, strerror(errno));
        close(fd);
    }
    return file;
}

X509 *cdoc__pem_read_first(const char *path, struct cdoc_err *err)
{
    FILE *file = open_pem_file(path, "certificate file", err);
    X509 *cert;

    if (!file)
        return NULL;
    cert = PEM_read_X509(file, NULL, NULL, NULL);
    fclose(file);
    if (!cert) {
        char *reason = cdoc__openssl_error("no PEM certificate found");

        cdoc_errf(err, "%s contains no PEM certificate (%s): give a file "
                  "with a -----BEGIN CERTIFICATE----- block", path, reason);
        free(reason);
    }
    return cert;
}

int cdoc__ca_read(const char *ca_file, struct cdoc_ca_info *info,
                  struct cdoc_err *err)
{
    X509 *cert;

    memset(info, 0, sizeof(*info));
    cert = cdoc__pem_read_first(ca_file, err);
    if (!cert)
        return -1;
    info->subject = cdoc__name_oneline(X509_get_subject_name(cert));
    /* EXFLAG_CA is set by a basicConstraints extension with CA:TRUE and by
     * nothing else, unlike X509_check_ca, which also accepts version 1
     * self-signed certificates. */
    info->is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
    info->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
    info->not_yet_valid =
        X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
    X509_free(cert);
    return 0;
}

void cdoc__ca_info_release(struct cdoc_ca_info *info)
{
    free(info->subject);
    memset(info, 0, sizeof(*info));
}

/* The DER encoding of cert; the caller frees it with OPENSSL_free. */
static int der_of(X509 *cert, unsigned char **der)
{
    *der = NULL;
    return i2d_X509(cert, der);
}

/* True when PEM reading stopped at the end of the file rather than at a
 * broken block: OpenSSL reports the end as "no start line". */
static bool pem_reached_end(void)
{
    unsigned long code = ERR_peek_last_error();

    return ERR_GET_LIB(code) == ERR_LIB_PEM &&
           ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

int cdoc__bundle_contains(const char *bundle_file, const char *ca_file,
                          struct cdoc_bundle_match *match,
                          struct cdoc_err *err)
{
    unsigned char *ca_der = NULL;
    int ca_len;
    FILE *bundle;
    X509 *ca;
    int rc = 0;

    memset(match, 0, sizeof(*match));
    ca = cdoc__pem_read_first(ca_file, err);
    if (!ca)
        return -1;
    ca_len = der_of(ca, &ca_der);
    X509_free(ca);
    if (ca_len <= 0)
        return cdoc_errf(err, "cannot encode the certificate of %s as DER",
                         ca_file);

    bundle = open_pem_file(bundle_file, "CA bundle", err);
    if (!bundle) {
        OPENSSL_free(ca_der);
        return -1;
    }

    ERR_clear_error();
    for (;;) {
        /* PEM_read_X509 skips blocks of other types (keys, CRLs), so only
         * certificates are counted. */
        X509 *cert = PEM_read_X509(bundle, NULL, NULL, NULL);
        unsigned char *der;
        int len;

        if (!cert) {
            if (!pem_reached_end()) {
                char *reason = cdoc__openssl_error("unreadable PEM block");

                rc = cdoc_errf(err, "cannot read certificate %zu of CA "
                               "bundle %s: %s", match->certificates + 1,
                               bundle_file, reason);
                free(reason);
            }
            ERR_clear_error();
            break;
        }
        match->certificates++;
        len = der_of(cert, &der);
        X509_free(cert);
        if (len == ca_len && memcmp(der, ca_der, (size_t)len) == 0)
            match->found = true;
        OPENSSL_free(der);
    }

    fclose(bundle);
    OPENSSL_free(ca_der);
    return rc;
}
