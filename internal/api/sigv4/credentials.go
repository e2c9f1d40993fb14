package sigv4

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AccessKeyPrefix starts every access key id GenerateKeyPair makes. Like
// AWS's "AKIA" it marks a long-term key; unlike it, it cannot be mistaken for
// a real AWS key.
const AccessKeyPrefix = "VDTE"

// ErrNoDefaultProfile is returned (wrapped) by ReadCredentialsFile when the
// file has no [default] profile with both an aws_access_key_id and an
// aws_secret_access_key.
var ErrNoDefaultProfile = errors.New("no [default] profile with aws_access_key_id and aws_secret_access_key")

// GenerateKeyPair returns a new random access key: a 20-character id made of
// AccessKeyPrefix and 16 upper-case base32 characters (80 random bits), and a
// 40-character base64 secret (240 random bits), both from crypto/rand.
func GenerateKeyPair() (id, secret string, err error) {
	var idBytes [10]byte
	var secretBytes [30]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return "", "", fmt.Errorf("sigv4: generate access key id: %w", err)
	}
	if _, err := rand.Read(secretBytes[:]); err != nil {
		return "", "", fmt.Errorf("sigv4: generate secret access key: %w", err)
	}
	id = AccessKeyPrefix + base32.StdEncoding.EncodeToString(idBytes[:])
	secret = base64.StdEncoding.EncodeToString(secretBytes[:])
	return id, secret, nil
}

// WriteCredentialsFile writes id and secret as the [default] profile of an
// AWS shared-credentials file at path, readable by the AWS CLI and SDKs
// (AWS_SHARED_CREDENTIALS_FILE). The file is written to a temporary file in
// the same directory, synced and renamed over path, so readers see the old
// file or the new one, never a partial one; it has mode 0600. The directory
// must exist. id and secret must be non-empty and free of white space and
// control characters.
func WriteCredentialsFile(path, id, secret string) (err error) {
	if err := checkCredentialValue("access key id", id); err != nil {
		return err
	}
	if err := checkCredentialValue("secret access key", secret); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("sigv4: write credentials %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("sigv4: write credentials %s: %w", path, err)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.WriteString(formatCredentials(id, secret)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func formatCredentials(id, secret string) string {
	return "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
}

func checkCredentialValue(what, v string) error {
	if v == "" {
		return fmt.Errorf("sigv4: empty %s", what)
	}
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("sigv4: %s contains white space or a control character", what)
		}
	}
	return nil
}

// ReadCredentialsFile returns the access key id and secret of the [default]
// profile in the AWS shared-credentials file at path. Blank lines and lines
// starting with '#' or ';' are ignored; keys are matched without regard to
// case. A file without them yields an error wrapping ErrNoDefaultProfile.
func ReadCredentialsFile(path string) (id, secret string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("sigv4: read credentials: %w", err)
	}
	id, secret, err = parseCredentials(data)
	if err != nil {
		return "", "", fmt.Errorf("sigv4: read credentials %s: %w", path, err)
	}
	return id, secret, nil
}

// parseCredentials parses the INI-style shared-credentials format and
// returns the [default] profile's key pair.
func parseCredentials(data []byte) (id, secret string, err error) {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") {
				return "", "", fmt.Errorf("line %d: unterminated section header", n)
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return "", "", fmt.Errorf("line %d: expected key = value", n)
		}
		if section != "default" {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "aws_access_key_id":
			id = strings.TrimSpace(val)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(val)
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", err
	}
	if id == "" || secret == "" {
		return "", "", ErrNoDefaultProfile
	}
	return id, secret, nil
}
