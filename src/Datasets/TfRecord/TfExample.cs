using System.Runtime.InteropServices;
using Google.Protobuf;

namespace GnnSim.Datasets.TfRecord;

public enum TfFeatureKind { Bytes, Floats, Int64s }

/// <summary>One feature of a <c>tf.train.Example</c>: a list of byte strings, floats or int64s.</summary>
public sealed record TfFeature(TfFeatureKind Kind, IReadOnlyList<byte[]> Bytes, float[] Floats, long[] Int64s)
{
    public static TfFeature OfBytes(params byte[][] values) => new(TfFeatureKind.Bytes, values, [], []);
    public static TfFeature OfFloats(params float[] values) => new(TfFeatureKind.Floats, [], values, []);
    public static TfFeature OfInt64s(params long[] values) => new(TfFeatureKind.Int64s, [], [], values);
}

/// <summary>
/// The <c>tf.train.Example</c> message (tensorflow/core/example/example.proto and feature.proto),
/// read and written with Google.Protobuf's wire-format streams:
/// Example { Features features = 1 }, Features { map&lt;string, Feature&gt; feature = 1 },
/// Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3 } }.
/// </summary>
public static class TfExample
{
    /// <summary>Parses one serialized Example; malformed bytes throw <see cref="InvalidProtocolBufferException"/> or <see cref="InvalidDataException"/>.</summary>
    public static Dictionary<string, TfFeature> Parse(byte[] message)
    {
        var features = new Dictionary<string, TfFeature>(StringComparer.Ordinal);
        foreach (var (field, featureMap) in Fields(message))
        {
            if (field != 1) continue;
            foreach (var (entryField, entry) in Fields(featureMap))
            {
                if (entryField != 1) continue;
                string key = "";
                TfFeature? value = null;
                foreach (var (part, bytes) in Fields(entry))
                {
                    if (part == 1) key = bytes.ToStringUtf8();
                    else if (part == 2) value = ParseFeature(bytes);
                }
                features[key] = value ?? TfFeature.OfBytes();
            }
        }
        return features;
    }

    /// <summary>The length-delimited fields of a message, skipping the others.</summary>
    static IEnumerable<(int Field, ByteString Bytes)> Fields(ByteString message) => Fields(message.ToByteArray());

    internal static List<(int Field, ByteString Bytes)> Fields(byte[] message)
    {
        var result = new List<(int, ByteString)>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                result.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes()));
            else input.SkipLastField();
        }
        return result;
    }

    internal static TfFeature ParseFeature(ByteString feature)
    {
        var input = new CodedInputStream(feature.ToByteArray());
        uint tag;
        TfFeature result = TfFeature.OfBytes();
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); continue; }
            var list = input.ReadBytes().ToByteArray();
            result = field switch
            {
                1 => TfFeature.OfBytes([.. Fields(list).Where(f => f.Field == 1).Select(f => f.Bytes.ToByteArray())]),
                2 => TfFeature.OfFloats(ReadFloats(list)),
                3 => TfFeature.OfInt64s(ReadInt64s(list)),
                _ => result,
            };
        }
        return result;
    }

    /// <summary>FloatList.value: packed (the usual encoding) or one fixed32 per element.</summary>
    static float[] ReadFloats(byte[] list)
    {
        var values = new List<float>();
        var input = new CodedInputStream(list);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var packed = input.ReadBytes().Span;
                if (packed.Length % 4 != 0) throw new InvalidDataException($"a packed float list of {packed.Length} bytes");
                values.AddRange(MemoryMarshal.Cast<byte, float>(packed).ToArray());
            }
            else values.Add(input.ReadFloat());
        }
        return [.. values];
    }

    /// <summary>Int64List.value: packed varints or one varint per element.</summary>
    static long[] ReadInt64s(byte[] list)
    {
        var values = new List<long>();
        var input = new CodedInputStream(list);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                while (!packed.IsAtEnd) values.Add(packed.ReadInt64());
            }
            else values.Add(input.ReadInt64());
        }
        return [.. values];
    }

    /// <summary>Serializes an Example (features in key order, lists packed, as TensorFlow writes them).</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, TfFeature> features)
    {
        var entries = features.OrderBy(f => f.Key, StringComparer.Ordinal).Select(pair => Message(output =>
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(pair.Key);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(EncodeFeature(pair.Value)));
        })).ToList();
        var featureMap = Message(output =>
        {
            foreach (var entry in entries)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(entry));
            }
        });
        return Message(output =>
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(featureMap));
        });
    }

    internal static byte[] EncodeFeature(TfFeature feature)
    {
        var list = Message(output =>
        {
            switch (feature.Kind)
            {
                case TfFeatureKind.Bytes:
                    foreach (var value in feature.Bytes)
                    {
                        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                        output.WriteBytes(ByteString.CopyFrom(value));
                    }
                    break;
                case TfFeatureKind.Floats:
                    output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(MemoryMarshal.AsBytes(feature.Floats.AsSpan())));
                    break;
                case TfFeatureKind.Int64s:
                    output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    output.WriteBytes(ByteString.CopyFrom(Message(packed => { foreach (var v in feature.Int64s) packed.WriteInt64(v); })));
                    break;
            }
        });
        return Message(output =>
        {
            output.WriteTag(feature.Kind switch { TfFeatureKind.Bytes => 1, TfFeatureKind.Floats => 2, _ => 3 }, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(list));
        });
    }

    internal static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        using (var output = new CodedOutputStream(memory, leaveOpen: true)) write(output);
        return memory.ToArray();
    }
}
