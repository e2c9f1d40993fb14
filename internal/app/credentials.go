package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"

	"github.com/vedette-dns/vedette/internal/api/sigv4"
	"github.com/vedette-dns/vedette/internal/config"
)

// CredentialsFile is the name of the generated credentials file in the data directory.
const CredentialsFile = "credentials"

// rootKey returns the root access key: from the environment when set, else
// from <data-dir>/credentials, generating that file on first start.
func rootKey(cfg *config.Serve, log *slog.Logger) (id, secret string, err error) {
	if cfg.RootAccessKeyID != "" {
		log.Info("root access key from environment", "access_key_id", cfg.RootAccessKeyID)
		return cfg.RootAccessKeyID, cfg.RootSecretAccessKey, nil
	}
	path := filepath.Join(cfg.DataDir, CredentialsFile)
	id, secret, err = sigv4.ReadCredentialsFile(path)
	if err == nil {
		log.Info("root access key from credentials file", "path", path, "access_key_id", id)
		return id, secret, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("read %s: %w", path, err)
	}
	if id, secret, err = sigv4.GenerateKeyPair(); err != nil {
		return "", "", fmt.Errorf("generate root key: %w", err)
	}
	if err := sigv4.WriteCredentialsFile(path, id, secret); err != nil {
		return "", "", fmt.Errorf("write %s: %w", path, err)
	}
	abs, _ := filepath.Abs(path)
	log.Info("generated root access key; use it with AWS_SHARED_CREDENTIALS_FILE", "path", abs, "access_key_id", id)
	return id, secret, nil
}
