import COpenSSL
import Foundation
import HotlineCore

/// S/MIME signatures (RFC 8551) through OpenSSL's CMS: a detached SignedData over the
/// entity, with the signer's certificate (and its chain) in it, as `multipart/signed`
/// with `micalg=sha-256`. The key and certificate are read once, when the signer is made.
public final class SMIMESigner: MessageSigner, @unchecked Sendable {
    private let certificate: OpaquePointer
    private let key: OpaquePointer
    private let chain: OpaquePointer?
    private let lock = NSLock()

    /// Loads a PEM certificate, a PEM private key (encrypted with `passphrase` when given)
    /// and optionally the PEM intermediate certificates; throws with what is wrong.
    public init(certificatePEM: String, keyPEM: String, passphrase: String?, chainPEM: String? = nil) throws(SigningError) {
        guard let certificate = Self.read(certificatePEM, { PEM_read_bio_X509($0, nil, nil, nil) }) else {
            throw SigningError("the certificate is not a PEM X.509 certificate: \(Self.openSSLError())")
        }
        let loaded: OpaquePointer? =
            passphrase.map { phrase in
                phrase.withCString { pointer in
                    Self.read(keyPEM) { PEM_read_bio_PrivateKey($0, nil, nil, UnsafeMutableRawPointer(mutating: pointer)) }
                }
            } ?? Self.read(keyPEM) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let key = loaded else {
            X509_free(certificate)
            throw SigningError("the private key cannot be read (not PEM, or a wrong passphrase): \(Self.openSSLError())")
        }
        guard X509_check_private_key(certificate, key) == 1 else {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw SigningError("the private key does not belong to the certificate")
        }
        self.certificate = certificate
        self.key = key
        if let chainPEM {
            let stack = OPENSSL_sk_new_null()
            chainPEM.utf8CString.withUnsafeBufferPointer { buffer in
                let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count - 1))
                defer { BIO_free(bio) }
                while let next = PEM_read_bio_X509(bio, nil, nil, nil) { OPENSSL_sk_push(stack, UnsafeRawPointer(next)) }
            }
            ERR_clear_error()
            chain = stack
        } else {
            chain = nil
        }
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
        if let chain { OPENSSL_sk_pop_free(chain) { X509_free(OpaquePointer($0)) } }
    }

    private static func read(_ pem: String, _ body: (OpaquePointer?) -> OpaquePointer?) -> OpaquePointer? {
        pem.utf8CString.withUnsafeBufferPointer { buffer in
            let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count - 1))
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    private static func openSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The detached signature (DER) over `entity`.
    func signature(_ entity: [UInt8]) throws(SigningError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let data = entity.withUnsafeBufferPointer { BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }
        defer { BIO_free(data) }
        // Binary: the entity already has CRLF line ends; OpenSSL must not translate them.
        guard let cms = CMS_sign(certificate, key, chain, data, UInt32(CMS_DETACHED | CMS_BINARY)) else {
            throw SigningError("CMS_sign failed: \(Self.openSSLError())")
        }
        defer { CMS_ContentInfo_free(cms) }
        let out = BIO_new(BIO_s_mem())
        defer { BIO_free(out) }
        guard i2d_CMS_bio(out, cms) == 1 else { throw SigningError("cannot encode the signature: \(Self.openSSLError())") }
        var pointer: UnsafeMutablePointer<CChar>?
        // BIO_get_mem_data is a macro: BIO_CTRL_INFO (3) answers the buffer and its length.
        let length = withUnsafeMutablePointer(to: &pointer) { BIO_ctrl(out, 3, 0, UnsafeMutableRawPointer($0)) }
        guard length > 0, let pointer else { throw SigningError("empty signature") }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// `multipart/signed` around `entity`.
    public func sign(entity: [UInt8], boundary: String) throws(SigningError) -> (contentType: String, body: [UInt8]) {
        let der = try signature(entity)
        var base64 = Data(der).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        if !base64.hasSuffix("\r\n") { base64 += "\r\n" }
        var body = Array("This is a signed message in S/MIME format (RFC 8551).\r\n\r\n--\(boundary)\r\n".utf8)
        body += entity
        // The entity ends with CRLF; the CRLF before the next delimiter is the delimiter's.
        body += Array(
            ("\r\n--\(boundary)\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n" + base64 + "--\(boundary)--\r\n").utf8)
        return ("multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"\(boundary)\"", body)
    }
}
