#include <gif_lib.h>
#include <string.h>

// giflib reads through a callback; this one reads from a buffer in memory.
typedef struct {
    const unsigned char *bytes;
    size_t length;
    size_t offset;
} hotline_gif_buffer;

static inline int hotline_gif_read(GifFileType *gif, GifByteType *out, int wanted) {
    hotline_gif_buffer *buffer = (hotline_gif_buffer *)gif->UserData;
    size_t left = buffer->length - buffer->offset;
    size_t count = (size_t)wanted < left ? (size_t)wanted : left;
    memcpy(out, buffer->bytes + buffer->offset, count);
    buffer->offset += count;
    return (int)count;
}

static inline GifFileType *hotline_gif_open(hotline_gif_buffer *buffer, int *error) {
    return DGifOpen(buffer, hotline_gif_read, error);
}
