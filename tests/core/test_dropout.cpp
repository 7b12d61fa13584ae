// kdw::dropout: the share of zeros, the scale of the kept elements, the gradient (the same mask),
// masks that differ between calls but repeat under the same seed, and no pattern between
// neighbouring elements.
#include <QtTest>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "core/dropout.h"

class TestDropout : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void zerosAndScale_data() {
    QTest::addColumn<double>("p");
    QTest::newRow("0.1") << 0.1;
    QTest::newRow("0.5") << 0.5;
    QTest::newRow("0.9") << 0.9;
  }
  void zerosAndScale() {
    QFETCH(double, p);
    const at::Tensor x = at::rand({1000, 1000}) + 0.5;  // never 0
    const at::Tensor y = kdw::dropout(x, p, true);
    QCOMPARE(y.sizes(), x.sizes());
    const at::Tensor kept = y != 0;
    const double zero_share = 1.0 - kept.to(at::kDouble).mean().item<double>();
    // 1e6 Bernoulli draws: the standard deviation of the share is below 5e-4.
    QVERIFY2(std::abs(zero_share - p) < 3e-3, qPrintable(QString::number(zero_share)));
    QVERIFY(at::allclose(y.masked_select(kept), x.masked_select(kept) / (1 - p)));
  }

  void identityOutsideTraining() {
    const at::Tensor x = at::randn({50, 7});
    QVERIFY(at::equal(kdw::dropout(x, 0.3, false), x));
    QVERIFY(at::equal(kdw::dropout(x, 0.0, true), x));
  }

  void gradientUsesTheSameMask() {
    const at::Tensor x = (at::rand({300, 200}) + 0.5).requires_grad_(true);
    const at::Tensor weight = at::randn({300, 200});
    const at::Tensor y = kdw::dropout(x, 0.25, true);
    (y * weight).sum().backward();
    const at::Tensor expected = (y.detach() != 0).to(at::kFloat) * weight / 0.75;
    QVERIFY(at::allclose(x.grad(), expected));
    // A non-contiguous input is handled in its logical order.
    const at::Tensor t = at::rand({64, 32}).t().requires_grad_(true);
    const at::Tensor yt = kdw::dropout(t, 0.5, true);
    yt.sum().backward();
    QVERIFY(at::equal(t.grad() != 0, yt.detach() != 0));
  }

  void masksDifferButRepeatUnderTheSameSeed() {
    const at::Tensor x = at::ones({100000});
    at::manual_seed(11);
    const at::Tensor a = kdw::dropout(x, 0.5, true), b = kdw::dropout(x, 0.5, true);
    QVERIFY(!at::equal(a, b));
    // Independent masks agree on about half of the elements.
    const double agree = (a == b).to(at::kDouble).mean().item<double>();
    QVERIFY2(std::abs(agree - 0.5) < 0.01, qPrintable(QString::number(agree)));
    at::manual_seed(11);
    QVERIFY(at::equal(kdw::dropout(x, 0.5, true), a));
  }

  // A data-parallel shard (rows 3..6 of 7) gets the masks its rows have in the whole batch,
  // forward and backward.
  void rowOffsetGivesTheShardTheBatchMasks() {
    const at::Tensor batch = at::rand({7, 5, 4}) + 0.5;
    at::manual_seed(3);
    const at::Tensor whole = kdw::dropout(batch, 0.4, true);
    const at::Tensor shard = batch.narrow(0, 3, 4).clone().requires_grad_(true);
    at::manual_seed(3);
    at::Tensor part;
    {
      const kdw::DropoutRowOffset rows(3);
      part = kdw::dropout(shard, 0.4, true);
    }
    QVERIFY(at::equal(part.detach(), whole.narrow(0, 3, 4)));
    part.sum().backward();  // outside the scope: the offset was kept with the mask's seed
    QVERIFY(at::equal(shard.grad() != 0, whole.narrow(0, 3, 4) != 0));
    at::manual_seed(3);
    QVERIFY(!at::equal(kdw::dropout(shard.detach(), 0.4, true), part.detach()));  // no offset
  }

  void neighboursAreUncorrelated() {
    const at::Tensor keep = (kdw::dropout(at::ones({1 << 20}), 0.5, true) != 0).to(at::kDouble);
    const at::Tensor centred = keep - keep.mean();
    for (int64_t lag : {1, 2, 16, 1024}) {
      const int64_t n = keep.numel() - lag;
      const double corr =
          (centred.narrow(0, 0, n) * centred.narrow(0, lag, n)).mean().item<double>() /
          centred.pow(2).mean().item<double>();
      QVERIFY2(std::abs(corr) < 0.01, qPrintable(QString("lag %1: %2").arg(lag).arg(corr)));
    }
  }
};

QTEST_APPLESS_MAIN(TestDropout)
#include "test_dropout.moc"
