package sigv4_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
)

func TestGenerateKeyPair(t *testing.T) {
	idRE := regexp.MustCompile(`^VDTE[A-Z2-7]{16}$`)
	secretRE := regexp.MustCompile(`^[A-Za-z0-9+/]{40}$`)
	seen := map[string]bool{}
	for range 20 {
		id, secret, err := sigv4.GenerateKeyPair()
		if err != nil {
			t.Fatal(err)
		}
		if !idRE.MatchString(id) {
			t.Errorf("id %q does not match %s", id, idRE)
		}
		if !secretRE.MatchString(secret) {
			t.Errorf("secret %q does not match %s", secret, secretRE)
		}
		if seen[id] || seen[secret] {
			t.Errorf("repeated value: %q %q", id, secret)
		}
		seen[id], seen[secret] = true, true
	}
}

func TestCredentialsFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("old contents\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id, secret, err := sigv4.GenerateKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.WriteCredentialsFile(path, id, secret); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode = %v, want 0600", mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
	if string(data) != want {
		t.Errorf("file = %q, want %q", data, want)
	}
	gotID, gotSecret, err := sigv4.ReadCredentialsFile(path)
	if err != nil || gotID != id || gotSecret != secret {
		t.Errorf("ReadCredentialsFile = %q, %q, %v; want %q, %q", gotID, gotSecret, err, id, secret)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the credentials file (no temporary left)", len(entries))
	}
}

func TestWriteCredentialsFileRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path, id, secret, want string
	}{
		{"empty id", filepath.Join(dir, "c"), "", "s", "sigv4: empty access key id"},
		{"empty secret", filepath.Join(dir, "c"), "VDTE", "", "sigv4: empty secret access key"},
		{"newline in secret", filepath.Join(dir, "c"), "VDTE", "s\n[evil]",
			"sigv4: secret access key contains white space or a control character"},
		{"space in id", filepath.Join(dir, "c"), "VD TE", "s",
			"sigv4: access key id contains white space or a control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sigv4.WriteCredentialsFile(tt.path, tt.id, tt.secret)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if err := sigv4.WriteCredentialsFile(filepath.Join(dir, "missing", "c"), "VDTE", "s"); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestReadCredentialsFile(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		wantID     string
		wantSecret string
		wantErr    string // suffix of the error; "" means success
	}{
		{name: "written by the CLI", file: "[default]\naws_access_key_id = AKID\naws_secret_access_key = S/+3\n",
			wantID: "AKID", wantSecret: "S/+3"},
		{name: "other profiles, comments, spacing, CRLF",
			file: "# keys\r\n[dev]\naws_access_key_id=DEV\naws_secret_access_key=DEVS\n\n[ default ]\n; comment\n" +
				"  AWS_ACCESS_KEY_ID=AKID  \r\naws_secret_access_key\t=  S\r\naws_session_token = T\n[after]\naws_access_key_id = X\n",
			wantID: "AKID", wantSecret: "S"},
		{name: "no default profile", file: "[dev]\naws_access_key_id = A\naws_secret_access_key = S\n",
			wantErr: "no [default] profile with aws_access_key_id and aws_secret_access_key"},
		{name: "secret missing", file: "[default]\naws_access_key_id = A\n",
			wantErr: "no [default] profile with aws_access_key_id and aws_secret_access_key"},
		{name: "empty file", file: "", wantErr: "no [default] profile with aws_access_key_id and aws_secret_access_key"},
		{name: "bad section", file: "[default\naws_access_key_id = A\n", wantErr: "line 1: unterminated section header"},
		{name: "bad line", file: "[default]\naws_access_key_id A\n", wantErr: "line 2: expected key = value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "credentials")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			id, secret, err := sigv4.ReadCredentialsFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.HasSuffix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want suffix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || id != tt.wantID || secret != tt.wantSecret {
				t.Errorf("= %q, %q, %v; want %q, %q", id, secret, err, tt.wantID, tt.wantSecret)
			}
		})
	}
}

func TestReadCredentialsFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := sigv4.ReadCredentialsFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("[dev]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sigv4.ReadCredentialsFile(path); !errors.Is(err, sigv4.ErrNoDefaultProfile) {
		t.Errorf("no default profile: err = %v, want ErrNoDefaultProfile", err)
	}
}
