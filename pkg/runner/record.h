/* SPDX-License-Identifier: MIT */
/*
 * The record file a worker writes next to Criterion's own report: the parts
 * of a result Criterion cannot carry (the error verdict, multi-line detail,
 * raw captured output, properties). One file per check in the run
 * directory, "<suite>.<check>.rec", as a sequence of entries:
 * one kind byte, a 4-byte little-endian length, then that many bytes.
 */
#ifndef CDOC_RUNNER_RECORD_H
#define CDOC_RUNNER_RECORD_H

#include "cdoc.h"
#include "runner/results.h"

#include <stddef.h>

enum cdoc_record_kind {
    CDOC_RECORD_FAIL = 'F',     /* failure message */
    CDOC_RECORD_ERROR = 'E',    /* error message: the verdict is error */
    CDOC_RECORD_SKIP = 'S',     /* skip reason */
    CDOC_RECORD_DETAIL = 'D',   /* one more line of detail */
    CDOC_RECORD_OUTPUT = 'O',   /* "label\0bytes" of captured output */
    CDOC_RECORD_PROPERTY = 'P', /* "name\0value" */
};

/* Largest entry accepted when reading; larger ones mark a corrupt file. */
#define CDOC_RECORD_ENTRY_MAX (1024 * 1024)

/* "<run_dir>/<suite>.<check>.rec"; the caller frees it. */
char *cdoc_record_path(const char *run_dir, const char *suite,
                       const char *check);

/* Append one entry with a single write(2) on an O_APPEND descriptor, so a
 * worker that crashes later leaves every earlier entry whole. */
int cdoc_record_append(const char *path, enum cdoc_record_kind kind,
                       const void *bytes, size_t len, struct cdoc_err *err)
    __attribute__((warn_unused_result));

/* Entries read back from a record file, in order. */
struct cdoc_record {
    char *fail;        /* last failure message, or NULL */
    char *error;       /* last error message, or NULL */
    char *skip;        /* last skip reason, or NULL */
    struct cdoc_buf detail;
    struct cdoc_buf output;
    struct cdoc_property *properties;
    size_t property_count;
    bool truncated;    /* the file ended inside an entry */
};

/* Parse record bytes. Unknown kinds are skipped; a cut entry sets
 * truncated. Never fails: a damaged record yields what could be read. */
void cdoc_record_parse(const void *bytes, size_t len,
                       struct cdoc_record *record);

/* Read and parse a record file; a missing file is an empty record. */
int cdoc_record_read(const char *path, struct cdoc_record *record,
                     struct cdoc_err *err)
    __attribute__((warn_unused_result));

void cdoc_record_release(struct cdoc_record *record);

#endif
