/* SPDX-License-Identifier: MIT */
/*
 * Events from Criterion's runner (in the runner child) to the doctor: one
 * frame per finished check over a pipe. The two ends run the same binary,
 * so the header is a plain struct.
 */
#ifndef CDOC_RUNNER_EVENTS_H
#define CDOC_RUNNER_EVENTS_H

#include "cdoc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cdoc_event_kind {
    CDOC_EVENT_FINISHED = 'F', /* the worker reached the end of the check */
    CDOC_EVENT_CRASHED = 'C',  /* a signal killed the worker mid-check */
};

struct cdoc_event_header {
    uint32_t payload_size;  /* bytes of suite, check and message after it */
    uint8_t kind;
    uint8_t status;         /* enum criterion_test_status */
    uint8_t timed_out;
    uint8_t reserved;
    int32_t signal;
    int32_t exit_code;
    double elapsed;
};

struct cdoc_event {
    struct cdoc_event_header header;
    char *suite;
    char *check;
    char *message;  /* skip reason or failed assertion messages */
};

/* Frames larger than this are a protocol error. */
#define CDOC_EVENT_PAYLOAD_MAX (256 * 1024)

/* Encode one event into buf. */
void cdoc_event_encode(struct cdoc_buf *buf,
                       const struct cdoc_event_header *header,
                       const char *suite, const char *check,
                       const char *message);

/*
 * Take one whole frame from the front of buf into event and remove it.
 * Returns 1 when a frame was taken, 0 when more bytes are needed, -1 on a
 * malformed frame.
 */
int cdoc_event_take(struct cdoc_buf *buf, struct cdoc_event *event);

void cdoc_event_release(struct cdoc_event *event);

/* The write end of the pipe in the runner child; -1 elsewhere. */
extern int cdoc_event_fd;

#endif
