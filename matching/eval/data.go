package eval

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
)

// ErrFormat reports a malformed input file.
var ErrFormat = errors.New("eval: bad input")

// Paper is one row of csl_*.tsv.
type Paper struct {
	ID         string
	Title      string
	Abstract   string
	Keywords   []string
	Category   string
	Discipline string
}

// Labelled is one row of cls_ctg_*.tsv: a title and its category.
type Labelled struct {
	Title    string
	Category string
}

func readTSV(r io.Reader, want []string, fn func(row int, cols []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	row := 0
	for sc.Scan() {
		row++
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != len(want) {
			return fmt.Errorf("%w: row %d has %d columns, want %d (%s)", ErrFormat, row, len(cols), len(want), strings.Join(want, ", "))
		}
		if row == 1 && cols[0] == want[0] {
			continue // header
		}
		if err := fn(row, cols); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: row %d: %w", ErrFormat, row+1, err)
	}
	return nil
}

// ReadPapers reads csl_*.tsv: id, split, title, abstract, keywords (joined
// by "_"), category, discipline, with a header row.
func ReadPapers(r io.Reader) ([]Paper, error) {
	var out []Paper
	err := readTSV(r, []string{"id", "split", "title", "abstract", "keywords", "category", "discipline"}, func(row int, c []string) error {
		if c[0] == "" || c[2] == "" {
			return fmt.Errorf("%w: row %d: empty id or title", ErrFormat, row)
		}
		var kw []string
		for k := range strings.SplitSeq(c[4], "_") {
			if k = strings.TrimSpace(k); k != "" {
				kw = append(kw, k)
			}
		}
		out = append(out, Paper{ID: c[0], Title: c[2], Abstract: c[3], Keywords: kw, Category: c[5], Discipline: c[6]})
		return nil
	})
	return out, err
}

// ReadLabelled reads cls_ctg_*.tsv: task, title, category.
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	var out []Labelled
	err := readTSV(r, []string{"task", "title", "category"}, func(row int, c []string) error {
		if c[1] == "" || c[2] == "" {
			return fmt.Errorf("%w: row %d: empty title or category", ErrFormat, row)
		}
		out = append(out, Labelled{Title: c[1], Category: c[2]})
		return nil
	})
	return out, err
}

// Synthetic generates n papers from a vocabulary: each discipline draws
// its words from its own Zipf-skewed slice of the vocabulary, mixed with
// words shared by all, so that the four tasks have signal to find. With
// vocab nil a built-in Chinese vocabulary is used. The same rand state
// gives the same corpus.
func Synthetic(r *rand.Rand, n int, vocab []string) []Paper {
	if len(vocab) == 0 {
		vocab = strings.Fields(syntheticVocab)
	}
	const nd = 16
	pick := func(d int) string {
		// 40%: the discipline's own words; 60%: any word. Both skewed.
		f := math.Pow(r.Float64(), 2)
		if r.IntN(5) < 2 {
			span := max(1, len(vocab)/nd)
			return vocab[(d*span+int(f*float64(span)))%len(vocab)]
		}
		return vocab[int(f*float64(len(vocab)))%len(vocab)]
	}
	// Words are joined by function words and punctuation, as in real
	// text, so that the bigrams across word boundaries come from a small
	// set rather than from every pair of words.
	joiners := []string{"的", "和", "，", "与", "及", "中", "、"}
	words := func(d, k int) string {
		var b strings.Builder
		for i := range k {
			if i > 0 {
				b.WriteString(joiners[r.IntN(len(joiners))])
			}
			b.WriteString(pick(d))
		}
		return b.String()
	}
	out := make([]Paper, n)
	for i := range out {
		d := r.IntN(nd)
		kws := make([]string, 3+r.IntN(3))
		for j := range kws {
			kws[j] = pick(d)
		}
		title := kws[0] + "的" + words(d, 1+r.IntN(3)) + "与" + kws[1%len(kws)] + "研究"
		// The abstract restates most of the title among other words.
		abs := words(d, 15+r.IntN(30)) + "，" + title + "，" + words(d, 15) + "。"
		out[i] = Paper{
			ID:       fmt.Sprintf("syn-%06d", i),
			Title:    title,
			Abstract: abs,
			Keywords: kws,
			Category: fmt.Sprintf("类%d", d%4),
			// 16 disciplines in 4 categories
			Discipline: fmt.Sprintf("学科%d", d),
		}
	}
	return out
}

const syntheticVocab = `电池 锂离子 储能 材料 催化剂 算法 神经网络 图像 识别 传感器 控制 系统 模型 优化 检测
医学 儿科 海洋 养殖 印刷 包装 环境 净化 机械 制造 数字化 设计 基因 蛋白 土壤 作物 病害 疫苗 芯片 光伏
氢能 涂层 水稻 小麦 玉米 大豆 果树 蔬菜 畜牧 鱼类 细胞 肿瘤 血管 心脏 肝脏 药物 临床 护理 康复 影像
桥梁 隧道 道路 交通 车辆 发动机 飞行器 卫星 雷达 通信 网络 数据 云计算 区块链 安全 加密 软件 数据库
经济 金融 市场 企业 管理 政策 法律 教育 教学 学生 课程 文化 历史 哲学 艺术 音乐 文学 语言 翻译 社会`
