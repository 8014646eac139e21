"""gpt_demo: a LLaMA-style GPT written from scratch, registered as a transformers model.

``import gpt_demo`` registers the ``gpt_demo`` model type with ``AutoConfig`` and
``AutoModelForCausalLM``, so ``AutoModelForCausalLM.from_pretrained(checkpoint_dir)`` works.
This package never imports gradio; the app lives in ``gpt_demo.ui``.
"""

from transformers import AutoConfig, AutoModel, AutoModelForCausalLM

from .configuration_gpt_demo import GPTDemoConfig
from .modeling_gpt_demo import GPTDemoForCausalLM, GPTDemoModel

AutoConfig.register(GPTDemoConfig.model_type, GPTDemoConfig, exist_ok=True)
AutoModel.register(GPTDemoConfig, GPTDemoModel, exist_ok=True)
AutoModelForCausalLM.register(GPTDemoConfig, GPTDemoForCausalLM, exist_ok=True)

__all__ = ["GPTDemoConfig", "GPTDemoModel", "GPTDemoForCausalLM"]
__version__ = "0.1.0"
