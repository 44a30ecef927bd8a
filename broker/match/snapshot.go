package match

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kexie/techbroker/matching/analysis"
	"github.com/kexie/techbroker/matching/router"
)

// Snapshots keep the latest snapshot of a Service's index somewhere: a
// file (Files), an object store. Save hands a function writing the whole
// snapshot; Load hands one reading it, or returns ErrNoSnapshot.
type Snapshots interface {
	Save(ctx context.Context, write func(io.Writer) error) error
	Load(ctx context.Context, read func(io.Reader) error) error
}

// Files keeps the snapshot in one file, replaced whole by each Save (a
// temporary file renamed over it), so that a reader never sees half of
// one.
type Files struct {
	Path string
}

// Save implements Snapshots.
func (f Files) Save(ctx context.Context, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), filepath.Base(f.Path)+".*.tmp")
	if err != nil {
		return &Error{Op: "save snapshot", Err: err}
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.Path)
	}
	if err != nil {
		return &Error{Op: "save snapshot", Err: err}
	}
	return nil
}

// Load implements Snapshots.
func (f Files) Load(ctx context.Context, read func(io.Reader) error) error {
	file, err := os.Open(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Error{Op: "load snapshot", Err: ErrNoSnapshot, Msg: f.Path}
	}
	if err != nil {
		return &Error{Op: "load snapshot", Err: err}
	}
	defer file.Close()
	return read(bufio.NewReaderSize(file, 1<<20))
}

// serviceMagic starts a Service's snapshot; the number is its format.
const serviceMagic = "TBMSNAP1"

// Save writes a snapshot of the Service to snaps: its format, the router
// (when one is configured) and the index with the sequence number it
// reflects. It waits for a catch-up in progress, and catch-ups wait for
// it.
func (s *Service) Save(ctx context.Context, snaps Snapshots) error {
	s.sync.Lock()
	defer s.sync.Unlock()
	return snaps.Save(ctx, func(w io.Writer) error {
		head := []byte(serviceMagic)
		var rb []byte
		if s.router != nil {
			var buf byteBuffer
			if _, err := s.router.WriteTo(&buf); err != nil {
				return &Error{Op: "save snapshot", Err: err}
			}
			rb = buf
		}
		head = binary.AppendUvarint(head, uint64(len(rb)))
		if _, err := w.Write(append(head, rb...)); err != nil {
			return &Error{Op: "save snapshot", Err: err}
		}
		return s.idx.Snapshot(ctx, w)
	})
}

type byteBuffer []byte

func (b *byteBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

// Restore replaces the Service's index (and, when the Service has no
// router, its router) with the snapshot in snaps, then catches up with the
// log from the snapshot's sequence number. ErrNoSnapshot when there is
// none; a snapshot of another format or analyzer configuration is refused
// with an error matching ErrSnapshot, and the index is left as it was.
func (s *Service) Restore(ctx context.Context, snaps Snapshots) error {
	s.sync.Lock()
	err := snaps.Load(ctx, func(r io.Reader) error {
		br, ok := r.(io.ByteReader)
		if !ok {
			b := bufio.NewReader(r)
			br, r = b, b
		}
		head := make([]byte, len(serviceMagic))
		if _, err := io.ReadFull(r, head); err != nil {
			return snapshotError("the data is too short for a snapshot header", err)
		}
		if string(head) != serviceMagic {
			return snapshotError(fmt.Sprintf("format %q, this version reads %q", printable(head), serviceMagic), nil)
		}
		n, err := binary.ReadUvarint(br)
		if err != nil || n > 1<<32 {
			return snapshotError("damaged router length", err)
		}
		var rt *router.Router
		if n > 0 {
			if rt, err = router.Read(io.LimitReader(r, int64(n)), s.analyzer()); err != nil {
				return snapshotError("router", err)
			}
		}
		if err := s.idx.Restore(ctx, r); err != nil {
			return err
		}
		if s.router == nil {
			s.router = rt
		}
		return nil
	})
	s.sync.Unlock()
	if err != nil {
		return err
	}
	_, err = s.Sync(ctx)
	return err
}

// analyzer is the analyzer of the default index's engine.
func (s *Service) analyzer() *analysis.Analyzer {
	if x, ok := s.idx.(*EngineIndex); ok {
		return x.opts.Analyzer
	}
	if s.opts.Engine != nil && s.opts.Engine.Analyzer != nil {
		return s.opts.Engine.Analyzer
	}
	return analysis.New(nil)
}
