// Package loopback gives the tests' real servers (Dovecot, Radicale) what
// each needs on this machine: a free loopback port and a certificate signed
// by a throwaway authority; and, for the tests of where a login may go,
// another host on this machine (Elsewhere).
package loopback

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// FreePort returns a loopback TCP port that was free a moment ago, for a
// server that binds it itself (the daemon, Dovecot, Radicale). It is
// taken below the kernel's range of ports for "any port" (32768 and up
// on Linux), where the tests' own listeners on port 0 land: one picked
// from that range could be given to another test's listener between
// FreePort and the bind ("address already in use", once in a CI run).
// No port is handed out twice in a process.
func FreePort(t testing.TB) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 1000 {
		port := lowPorts + mrand.IntN(lowPortsN)
		if handed[port] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // in use: another
		}
		ln.Close()
		handed[port] = true
		return port
	}
	t.Fatal("no free loopback port below 32768 in 1000 tries")
	return 0
}

// The ports FreePort picks from: 20000 to 32767, below Linux's ephemeral
// range and above the ports of well-known services.
const (
	lowPorts  = 20000
	lowPortsN = 32768 - lowPorts
)

var (
	portsMu sync.Mutex
	handed  = map[int]bool{}
)

// WriteCert makes a certificate authority and a server certificate for
// 127.0.0.1 and localhost signed by it; it returns the authority's file (ca.pem);
// the server's are cert.pem and key.pem in dir.
func WriteCert(t testing.TB, dir string) string {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rekindle test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	caCert, _ := x509.ParseCertificate(caDER)
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	write := func(name, typ string, der []byte) {
		os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644)
	}
	write("ca.pem", "CERTIFICATE", caDER)
	write("cert.pem", "CERTIFICATE", leafDER)
	write("key.pem", "EC PRIVATE KEY", keyDER)
	return filepath.Join(dir, "ca.pem")
}

// ClientTLS is a client's TLS config that trusts only the authority in caFile.
func ClientTLS(t testing.TB, caFile string) *tls.Config {
	t.Helper()
	b, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("no certificate in %s", caFile)
	}
	return &tls.Config{RootCAs: pool}
}
