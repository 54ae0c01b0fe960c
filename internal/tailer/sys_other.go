//go:build !linux

package tailer

import "os"

func readAt(f *os.File, b []byte, off int64) (int, error) { return f.ReadAt(b, off) }

func fileSize(f *os.File) (int64, error) { return statSize(f) }

func statID(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	return idOf(fi), nil
}
