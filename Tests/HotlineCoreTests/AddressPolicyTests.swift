import Testing

@testable import HotlineCore

@Suite struct AddressPolicyTests {
    @Test func onlyPublicUnicastAddressesMayBeFetched() {
        let policy = AddressPolicy()
        for text in [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "192.0.2.1",
            "::1", "fe80::1", "fc00::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
        ] {
            #expect(policy.refusal(IPAddress(text)!) != nil, "\(text) should be refused")
        }
        for text in ["8.8.8.8", "1.1.1.1", "2a00:1450::1", "::ffff:8.8.8.8"] {
            #expect(policy.refusal(IPAddress(text)!) == nil, "\(text) should be allowed")
        }
        #expect(policy.refusal(IPAddress("::ffff:169.254.169.254")!) == "169.254.169.254 is in special-purpose network 169.254.0.0/16")
        #expect(AddressPolicy(allowed: [IPNetwork("127.0.0.0/8")!]).refusal(IPAddress("127.0.0.1")!) == nil)
    }
}
