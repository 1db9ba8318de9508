#ifndef HOTLINE_CFFMPEG_SHIM_H
#define HOTLINE_CFFMPEG_SHIM_H

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>

// The error macros are expressions Swift cannot import; these give their values.
static inline int hotline_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int hotline_averror_eof(void) { return AVERROR_EOF; }
static inline int hotline_avseek_size(void) { return AVSEEK_SIZE; }
static inline int64_t hotline_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int hotline_av_time_base(void) { return AV_TIME_BASE; }

#endif
