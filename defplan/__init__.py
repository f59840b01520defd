"""defplan: defence budget and capability portfolio optimiser."""
