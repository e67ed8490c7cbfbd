using Google.Protobuf;

namespace GnnSim.Datasets.TfRecord;

/// <summary>
/// The <c>tf.train.SequenceExample</c> message (tensorflow/core/example/example.proto), as DeepMind's
/// learning_to_simulate datasets store particle trajectories: SequenceExample { Features context = 1;
/// FeatureLists feature_lists = 2 }, FeatureLists { map&lt;string, FeatureList&gt; feature_list = 1 },
/// FeatureList { repeated Feature feature = 1 }.
/// </summary>
public static class TfSequenceExample
{
    public static (Dictionary<string, TfFeature> Context, Dictionary<string, List<TfFeature>> Lists) Parse(byte[] message)
    {
        var context = new Dictionary<string, TfFeature>(StringComparer.Ordinal);
        var lists = new Dictionary<string, List<TfFeature>>(StringComparer.Ordinal);
        foreach (var (field, part) in TfExample.Fields(message))
        {
            foreach (var (entryField, entry) in TfExample.Fields(part.ToByteArray()))
            {
                if (entryField != 1) continue;
                string key = "";
                ByteString? value = null;
                foreach (var (piece, bytes) in TfExample.Fields(entry.ToByteArray()))
                {
                    if (piece == 1) key = bytes.ToStringUtf8();
                    else if (piece == 2) value = bytes;
                }
                if (field == 1) context[key] = value is null ? TfFeature.OfBytes() : TfExample.ParseFeature(value);
                else if (field == 2)
                    lists[key] = value is null ? [] : TfExample.Fields(value.ToByteArray()).Where(f => f.Field == 1).Select(f => TfExample.ParseFeature(f.Bytes)).ToList();
            }
        }
        return (context, lists);
    }

    /// <summary>Serializes a SequenceExample (keys in order, as TensorFlow writes maps).</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, TfFeature> context, IReadOnlyDictionary<string, IReadOnlyList<TfFeature>> lists)
    {
        byte[] Entry(string key, byte[] value) => TfExample.Message(output =>
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(key);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(value));
        });
        byte[] Map(IEnumerable<byte[]> entries) => TfExample.Message(output =>
        {
            foreach (var entry in entries)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(entry));
            }
        });
        var contextMap = Map(context.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Entry(c.Key, TfExample.EncodeFeature(c.Value))));
        var listMap = Map(lists.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => Entry(l.Key, Map(l.Value.Select(TfExample.EncodeFeature)))));
        return TfExample.Message(output =>
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(contextMap));
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(listMap));
        });
    }
}
