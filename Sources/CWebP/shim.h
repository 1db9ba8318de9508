#include <webp/decode.h>

// WebPInitDecoderConfig is an inline wrapper around a versioned call Swift cannot see.
static inline int hotline_webp_init_config(WebPDecoderConfig *config) { return WebPInitDecoderConfig(config); }
static inline int hotline_webp_get_features(const uint8_t *data, size_t size, WebPBitstreamFeatures *features) {
    return WebPGetFeatures(data, size, features) == VP8_STATUS_OK;
}
