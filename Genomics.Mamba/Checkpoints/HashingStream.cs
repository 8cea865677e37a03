using System.IO.Hashing;

namespace Genomics.Mamba.Checkpoints;

/// <summary>
/// A forward-only pass-through stream that feeds every byte read or written into an XxHash64, so a checkpoint is
/// hashed in the same single pass that writes or reads it (no second read of a multi-GB file).
/// </summary>
internal sealed class HashingStream(Stream inner) : Stream
{
    readonly XxHash64 _hash = new();
    long _position;

    /// <summary>The hash of everything that passed through so far.</summary>
    public ulong Hash => _hash.GetCurrentHashAsUInt64();

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("a hashing stream only moves forward");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.Append(buffer[..n]);
        _position += n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _hash.Append(buffer);
        _position += buffer.Length;
    }

    /// <summary>Reads exactly buffer.Length bytes or throws <see cref="EndOfStreamException"/>.</summary>
    public void ReadFully(Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = Read(buffer);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            buffer = buffer[n..];
        }
    }

    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a hashing stream only moves forward");
    public override void SetLength(long value) => throw new NotSupportedException();
}
