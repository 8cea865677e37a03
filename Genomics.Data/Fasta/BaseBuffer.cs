namespace Genomics.Data.Fasta;

/// <summary>
/// A growing byte array for one record's bases while a compressed file streams by (its length is not
/// known until the next header). Doubling keeps appends cheap; <see cref="ToArray"/> trims once.
/// </summary>
internal sealed class BaseBuffer
{
    byte[] _buffer = new byte[1 << 16];
    int _count;

    /// <summary>Appends and returns the appended bytes, so the caller can normalise them in place.</summary>
    public Span<byte> Append(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length > _buffer.Length)
        {
            long wanted = Math.Max((long)_buffer.Length * 2, (long)_count + bytes.Length);
            Array.Resize(ref _buffer, (int)Math.Min(wanted, Array.MaxLength));
        }
        Span<byte> target = _buffer.AsSpan(_count, bytes.Length);
        bytes.CopyTo(target);
        _count += bytes.Length;
        return target;
    }

    public byte[] ToArray() => _count == _buffer.Length ? _buffer : _buffer.AsSpan(0, _count).ToArray();
}
