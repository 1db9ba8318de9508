// OpenSSL's CMS (Debian libssl-dev) for S/MIME signatures of notices.
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
