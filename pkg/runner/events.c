/* SPDX-License-Identifier: MIT */
/* Framing of runner events, and the Criterion hooks that send them. */
#include "runner/events.h"

#include <criterion/hooks.h>
#include <criterion/stats.h>
#include <criterion/types.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cdoc_event_fd = -1;

void cdoc_event_encode(struct cdoc_buf *buf,
                       const struct cdoc_event_header *header,
                       const char *suite, const char *check,
                       const char *message)
{
    struct cdoc_event_header copy = *header;
    size_t suite_len = strlen(suite) + 1;
    size_t check_len = strlen(check) + 1;
    size_t message_len = strlen(message ? message : "") + 1;

    if (message_len > CDOC_EVENT_PAYLOAD_MAX / 2)
        message_len = CDOC_EVENT_PAYLOAD_MAX / 2;
    copy.payload_size = (uint32_t)(suite_len + check_len + message_len);

    cdoc_buf_append(buf, &copy, sizeof(copy));
    cdoc_buf_append(buf, suite, suite_len);
    cdoc_buf_append(buf, check, check_len);
    cdoc_buf_append(buf, message ? message : "", message_len - 1);
    cdoc_buf_append(buf, "", 1);
}

static char *take_string(const char **at, const char *end)
{
    const char *nul = memchr(*at, '\0', (size_t)(end - *at));
    char *text;

    if (!nul)
        return NULL;
    text = cdoc_xstrdup(*at);
    *at = nul + 1;
    return text;
}

int cdoc_event_take(struct cdoc_buf *buf, struct cdoc_event *event)
{
    struct cdoc_event_header header;
    const char *at;
    const char *end;
    size_t frame;

    memset(event, 0, sizeof(*event));
    if (buf->len < sizeof(header))
        return 0;
    memcpy(&header, buf->data, sizeof(header));
    if (header.payload_size > CDOC_EVENT_PAYLOAD_MAX)
        return -1;
    frame = sizeof(header) + header.payload_size;
    if (buf->len < frame)
        return 0;

    at = buf->data + sizeof(header);
    end = buf->data + frame;
    event->header = header;
    event->suite = take_string(&at, end);
    event->check = event->suite ? take_string(&at, end) : NULL;
    event->message = event->check ? take_string(&at, end) : NULL;

    memmove(buf->data, buf->data + frame, buf->len - frame);
    buf->len -= frame;
    if (!event->message) {
        cdoc_event_release(event);
        return -1;
    }
    return 1;
}

void cdoc_event_release(struct cdoc_event *event)
{
    free(event->suite);
    free(event->check);
    free(event->message);
    memset(event, 0, sizeof(*event));
}

static void write_all(int fd, const char *bytes, size_t len)
{
    while (len > 0) {
        ssize_t written = write(fd, bytes, len);

        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        bytes += written;
        len -= (size_t)written;
    }
}

/* Failed assertion messages, for checks that used cr_assert directly
 * instead of cdoc_check_fail. */
static void collect_assert_messages(struct criterion_test_stats *stats,
                                    struct cdoc_buf *out)
{
    for (struct criterion_assert_stats *a = stats->asserts; a; a = a->next) {
        if (a->passed || !a->message || !*a->message)
            continue;
        if (out->len)
            cdoc_buf_puts(out, "\n");
        cdoc_buf_puts(out, a->message);
    }
}

static void send_event(enum cdoc_event_kind kind,
                       struct criterion_test_stats *stats)
{
    struct cdoc_event_header header = {0};
    struct cdoc_buf frame = {0};
    struct cdoc_buf message = {0};

    if (cdoc_event_fd < 0 || !stats || !stats->test)
        return;

    header.kind = (uint8_t)kind;
    header.status = (uint8_t)stats->test_status;
    header.timed_out = stats->timed_out;
    header.signal = stats->signal;
    header.exit_code = stats->exit_code;
    header.elapsed = stats->elapsed_time;

    if (stats->message)
        cdoc_buf_puts(&message, stats->message);
    else
        collect_assert_messages(stats, &message);

    cdoc_event_encode(&frame, &header, stats->test->category,
                      stats->test->name, message.data ? message.data : "");
    write_all(cdoc_event_fd, frame.data, frame.len);
    cdoc_buf_release(&frame);
    cdoc_buf_release(&message);
}

/* POST_FINI ends every check that reached its end, including time-outs,
 * skips and aborted assertions; TEST_CRASH is the only other way out. */
ReportHook(POST_FINI)(struct criterion_test_stats *stats)
{
    send_event(CDOC_EVENT_FINISHED, stats);
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
    send_event(CDOC_EVENT_CRASHED, stats);
}
